"""Names, types and signatures: the checker that turns an AST into the Template IR."""

from .checker import check, check_source
from .ir import CheckedTemplate

__all__ = ["CheckedTemplate", "check", "check_source"]
