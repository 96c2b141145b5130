"""Perception before rendering: every catalogue image the material library lacks is
perceived first, so the batch's workers only read the library.

Reading is cheap and concurrent (SQLite in WAL mode, one connection per worker); computing
a record is the costly part and belongs to a pass of its own, run by `ddm materials add`'s
code locally or by Ray tasks on a cluster. Images that cannot be read are left to the
creatives that need them, which record the error.
"""

from __future__ import annotations

from ddm_lang.perception.catalogue import Catalogue
from ddm_lang.perception.library import MaterialLibrary
from ddm_lang.perception.materials import MaterialError, load_material
from ddm_lang.scene import Material


def missing_materials(catalogue: Catalogue, library: MaterialLibrary) -> list[Material]:
    """Distinct readable images and logos of the catalogue with no record in `library`."""
    found: dict[str, Material] = {}
    checked: set[str] = set()
    for product in catalogue.products:
        for path in product.image_paths() + product.logo_paths():
            try:
                material = load_material(path, (catalogue.base_dir,))
            except MaterialError:
                continue
            if material.sha256 in checked:
                continue
            checked.add(material.sha256)
            if library.lookup(material.sha256) is None:
                found[material.sha256] = material
    return list(found.values())


def perceive_locally(catalogue: Catalogue, library: MaterialLibrary, jobs: int) -> None:
    """`ddm materials add` for the catalogue: what is in the library already is kept."""
    from ddm_lang.perception.commands import add
    add(catalogue, library.path, jobs)
