"""The W3C Web Annotation read side: every visible passage as a Web Annotation (Data
Model, W3C Recommendation 2017), a read-only Annotation Protocol container at
`/annotations/` and the whole filtered set as one JSON-LD file (`/passages/export.jsonld`).

- `vocabulary`: the IRIs, media type and HTTP headers both specifications fix;
- `presenter`: the fetch plan of a passage and its one serialisation as an Annotation;
- `paging`: the container's keyset pages and the `Prefer` header;
- `export`: the streamed collection;
- `views`: the thin HTTP side.
"""
