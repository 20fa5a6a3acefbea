# Sums a JFR recording's jdk.ThreadAllocationStatistics (read from stdin, `jfr print`) per thread:
# the bytes each thread allocated up to the recording's end; argv: label, committed writes.
import sys,re
last={}
v=0
for line in sys.stdin:
    m=re.search(r'allocated = ([0-9.]+) (bytes|kB|MB|GB)',line)
    if m: v=float(m.group(1))*{'bytes':1,'kB':1e3,'MB':1e6,'GB':1e9}[m.group(2)]
    m2=re.search(r'thread = "([^"]+)"',line)
    if m2: last[m2.group(1)]=v
tot=sum(last.values())
writes=float(sys.argv[2]) if len(sys.argv) > 2 else 0
print(sys.argv[1], 'total MB %.1f' % (tot/1e6), ('%.1f KB per write' % (tot/1e3/writes)) if writes else '')
for k,v in sorted(last.items(), key=lambda x:-x[1])[:5]:
    print('   %8.1f MB %s' % (v/1e6,k) + (('  %.1f KB per write' % (v/1e3/writes)) if writes else ''))
