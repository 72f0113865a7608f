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


def unique_slugs(model, texts: list[str], *, fallback: str = "item") -> list[str]:
    """`unique_slug` for many new rows at once: slugs no row of `model` uses and no two of
    `texts` share. One query for the plain slugs; one more per slug already taken."""
    bases = [(slugify(text) or fallback)[: SLUG_MAX - 8].strip("-") or fallback for text in texts]
    distinct = sorted(set(bases))
    taken: set[str] = set()
    for i in range(0, len(distinct), 500):
        taken.update(
            model.objects.filter(slug__in=distinct[i : i + 500]).values_list("slug", flat=True)
        )
    for base in sorted(taken):  # `base-2`, `base-3`... may be taken too
        taken.update(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        slugs.append(candidate)
    return slugs
