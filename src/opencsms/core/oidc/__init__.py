"""Single sign-on through OpenID Connect (authorization code flow with PKCE, `state` and `nonce`).

`provider` reads the settings and talks to the provider (discovery, keys, token, userinfo) through
`core.outbound`; `tokens` checks the ID token with joserfc; `flow` keeps a sign-in's secrets in the session
and checks the provider's answer; `accounts` decides who signs in (and counts refusals in the sign-in
throttle). The pages are in `core.views.sso`; the operator's guide is docs/web.md "Single sign-on".
"""
