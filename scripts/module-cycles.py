#!/usr/bin/env python3
"""Import cycles between the crate's modules: `scripts/module-cycles.py src [-v]`.

Reads every `crate::…` and `super::…` path outside comments and tests, maps it
to the deepest module it names (`crate::rules::codes::RuleCode` → `rules::codes`),
and prints each strongly connected set of modules (a cycle); `-v` also prints
every module's imports. Exits 1 when there is a cycle.
"""
import os,re,sys,itertools
root=sys.argv[1]
mods={}
for dp,_,fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p=os.path.join(dp,f); rel=os.path.relpath(p,root)[:-3]
        parts=rel.split('/')
        if parts[-1]=='mod': parts=parts[:-1]
        if parts in (['lib'],['main']): continue
        mods['::'.join(parts)]=open(p).read()
names=set(mods)
def resolve(path):
    segs=path.split('::')
    for i in range(len(segs),0,-1):
        c='::'.join(segs[:i])
        if c in names: return c
edges={m:set() for m in mods}
for m,t in mods.items():
    # strip test modules
    t=t.split('#[cfg(test)]')[0]
    t='\n'.join(l for l in t.split('\n') if not l.strip().startswith('//'))
    for u in re.findall(r'crate::([a-z_0-9]+(?:::[a-z_0-9]+)*)',t):
        d=resolve(u)
        if d and d!=m: edges[m].add(d)
    for u in re.findall(r'crate::\{([^}]*)\}',t):
        for x in u.split(','):
            d=resolve(x.strip().split('::{')[0])
            if d and d!=m: edges[m].add(d)
    for u in re.findall(r'\bsuper::([a-z_0-9]+)',t):
        parent='::'.join(m.split('::')[:-1]) if '::' in m else None
        if parent:
            d=resolve(parent+'::'+u) or parent
            if d!=m: edges[m].add(d)
# parent-child: a module may use its children; child->parent counted
# find SCCs (Tarjan)
idx={};low={};st=[];on=set();out=[];c=[0]
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in edges[v]:
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: out.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in mods:
    if v not in idx: sc(v)
for comp in out: print('cycle:',comp)
if '-v' in sys.argv:
    for m in sorted(edges): print(m,'->',sorted(edges[m]))
sys.exit(1 if out else 0)
