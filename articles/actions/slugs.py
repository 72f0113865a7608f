"""Unique slugs for new rows."""

from django.utils.text import slugify

SLUG_MAX = 200


def unique_slug(model, text: str, *, exclude_pk: int | None = None, fallback: str = "item") -> str:
    """A slug for `text` that no other row of `model` uses (`-2`, `-3`... on collision)."""
    base = (slugify(text) or fallback)[: SLUG_MAX - 8].strip("-") or fallback
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
