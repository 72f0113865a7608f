"""`UNSET`: "this argument was not given", as opposed to `None` ("make it empty").

Every action that changes only the fields it is given uses this one sentinel, so `None`
always means a value (a cleared publication date, no organization). Imports no app.
"""


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = _Unset()
