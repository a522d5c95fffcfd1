#!/usr/bin/env python3
"""Layout check, run from the project root: import cycles between the files of each crate (use crate::/super::
paths outside test modules; a module using its own ancestors is not a cycle) and source files over 450 lines.
Prints one line per finding (at most three cycles per crate); exits 1 if there is any.
Usage, from the repository root: python3 .ci/layout_check.py"""
import glob, os, re, sys

problems = []
crates = [d for d in sorted(glob.glob('anyloss-*')) if os.path.exists(os.path.join(d, 'Cargo.toml'))]

def modpath(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ('mod', 'lib', 'main'):
        rel = rel[:-1]
    return rel

for crate in crates:
    src = os.path.join(crate, 'src')
    files = [f for f in glob.glob(os.path.join(src, '**', '*.rs'), recursive=True)]
    mods = {tuple(modpath(src, f)): f for f in files}
    graph = {m: set() for m in mods}
    for m, f in mods.items():
        text = open(f, encoding='utf-8', errors='replace').read()
        body = text.split('#[cfg(test)]')[0]  # test modules at the end may reach anywhere
        n = len(text.splitlines())
        if n > 450 and not f.endswith('.pest'):
            problems.append(f'{f}: {n} lines')
        for path in re.findall(r'\b(?:crate|super)(?:::\w+)+', body):
            parts = path.split('::')
            base = [] if parts[0] == 'crate' else list(m[:-1]) if not f.endswith(('mod.rs', 'lib.rs')) else list(m)
            if parts[0] == 'super':
                base = base[:-1] if f.endswith(('mod.rs',)) else base
            target = base + parts[1:]
            while target and tuple(target) not in mods:
                target = target[:-1]
            t = tuple(target)
            if target and t != m and t in mods and not (len(t) < len(m) and m[:len(t)] == t):
                graph[m].add(t)
    # cycles among files (a parent module re-exporting its children is not a cycle: edges to ancestors are dropped)
    seen, stack, cyc = set(), [], []
    def dfs(u):
        seen.add(u); stack.append(u)
        for v in graph[u]:
            if v in stack:
                cyc.append(stack[stack.index(v):] + [v])
            elif v not in seen:
                dfs(v)
        stack.pop()
    for u in graph:
        if u not in seen:
            dfs(u)
    for c in cyc[:3]:
        problems.append(f'{crate}: import cycle ' + ' -> '.join('/'.join(x) or 'lib' for x in c))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
