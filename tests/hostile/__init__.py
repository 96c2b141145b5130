"""The hostile corpus: inputs built to break the compiler, the renderer, the catalogue
loader and the service, each with the outcome it must have (drawn, or refused clearly)
and the bound it must stay within (5 s wall time, 1 GB memory).

`corpus.all_cases()` generates the cases from families × parameters; `runner.run_cases`
runs them, one forked child per case; `pending.PENDING` lists the findings whose fixes
have not landed yet.
"""
