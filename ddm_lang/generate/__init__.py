"""Template-free generation: `ddm generate` designs layouts for a product and writes each
as an editable DDM template, with its rendered creative.

A design is proposed as boxes with roles (`layout.RoleBox`) for one format, by the layout
model the project trains (`model.py`) or by a search over arrangements (`search.py`);
styled from the product's perception (`style.py`); written as DDM (`writer.py`), so the
binder's solver, contrast and separation guarantees apply to it as to any template; then
compiled, measured with the layout metrics and kept when it passes the checks.
"""
