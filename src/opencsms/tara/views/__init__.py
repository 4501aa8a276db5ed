"""Pages of the TARA workspace, one module per noun: parse, one selector or service call, render.

A list or panel renders its `_partial` for an htmx request (filters, sorting, paging, inline edits) and
the full page otherwise. A successful POST redirects to the page (or, for htmx, the partial) that shows
the result, so the re-evaluated risks come from the same read as every other view. Services' errors are
mapped by `core.middleware.DomainErrorMiddleware` (shown inline in htmx requests);
`core.http.page_or_partial` picks the template.
"""
