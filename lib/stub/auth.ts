/**
 * The stub's authentication, as the Lightly API documents it: an API key in
 * the `token` query parameter, or a JWT as `Authorization: Bearer …`. Either
 * one that matches lets the request through.
 *
 * @module
 */

/** Why a request was refused: the error code and message to answer with. */
export interface AuthFailure {
  /** `UNAUTHORIZED` or `JWT_INVALID`. */
  readonly code: "UNAUTHORIZED" | "JWT_INVALID";
  /** A message that never repeats the credential. */
  readonly message: string;
}

/**
 * Checks a request's credentials.
 *
 * - a matching `?token=` or a matching bearer JWT → accepted;
 * - a bearer JWT that does not match (and no matching token) → `JWT_INVALID`;
 * - anything else (nothing, a wrong token, another `Authorization` scheme)
 *   → `UNAUTHORIZED`.
 *
 * @param url The request URL.
 * @param headers The request headers.
 * @param accepted The token and JWT the stub accepts.
 * @returns `undefined` when accepted, else the failure.
 *
 * @example
 * ```ts
 * import { checkAuth } from "./auth.ts";
 * checkAuth(new URL("http://h/v1/jobs/x?token=t"), new Headers(), { token: "t", jwt: "j" }); // undefined
 * ```
 */
export function checkAuth(
  url: URL,
  headers: Headers,
  accepted: { readonly token: string; readonly jwt: string },
): AuthFailure | undefined {
  const token = url.searchParams.get("token");
  if (token !== null && token === accepted.token) return undefined;
  const authorization = headers.get("authorization");
  const bearer = authorization === null
    ? undefined
    : /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
  if (bearer !== undefined) {
    return bearer === accepted.jwt ? undefined : {
      code: "JWT_INVALID",
      message: "the bearer token is not a valid JWT for this API",
    };
  }
  if (token !== null) {
    return { code: "UNAUTHORIZED", message: "the API token is not valid" };
  }
  return {
    code: "UNAUTHORIZED",
    message: authorization === null
      ? "no credentials: send the API token as ?token= or a JWT as Authorization: Bearer"
      : "the Authorization header is not a Bearer token",
  };
}
