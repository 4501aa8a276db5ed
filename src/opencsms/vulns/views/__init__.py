"""Pages of vulnerability monitoring, one module per noun: parse, one selector or service call, render.

Lists (findings, components, advisories, releases, notifications) render their `_partial` for an htmx
request (filters, sorting, paging with pushed URLs) and the full page otherwise (`core.http.page_or_partial`).
A successful htmx POST redirects to the panel that shows the result (htmx follows it with `HX-Request`); a
plain form POST redirects to the page with a message. Services' errors are mapped by
`core.middleware.DomainErrorMiddleware` (inline in htmx requests, a toast after a form post).
"""
