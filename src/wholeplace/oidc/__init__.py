"""Optional OpenID Connect sign-in (a council's identity provider, e.g. Microsoft Entra ID).

The authorization code flow with PKCE through Authlib; state and nonce bound to the browser's
server-side session; the ID token's signature, issuer, audience, expiry and nonce verified with
joserfc. A person signs in only to an account that already exists (by a recorded subject, or
the verified email) and is not disabled: nobody is registered by signing in. The session is
the same server-side session as a password sign-in.
"""
