"""`/analysis/`: the shape of the coding as crosstabs, charts and CSV.

Every table counts the passages `/passages/` lists with the same filters (its
`PassageFilterSet` and the one visibility rule), in one grouped query
(`publishing.analysis.crosstab`); the page (`views`), its charts (`charts`, pygal) and
its CSV print the same numbers, shaped by one presenter (`presenters`).
"""
