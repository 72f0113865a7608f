"""History records of every write, and the registry apps describe their models in."""

from audit.registry import Restorer, register

__all__ = ["Restorer", "register"]
