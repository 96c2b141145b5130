"""`ddm batch`: catalogue-scale production of creatives, on local processes or Ray.

`plan` decides what to make and keys each creative by its inputs; `worker` makes them;
`local` and `ray_engine` run workers; `manifest` records each creative so a batch resumes
where it stopped; `command` is the command line. docs/batch.md is the user's guide.
"""
