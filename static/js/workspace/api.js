// The JSON API client for passages (/api/annotations/, documented in docs/api.md).
//
// Every call resolves to { ok: true, json, etag } or { ok: false, failure } where `failure`
// says what went wrong in words a researcher can act on: the server's own error envelope
// (cms/jsonapi.py) when it sent one, otherwise what kind of failure it was (no connection,
// server error, a reply that is not JSON). Nothing here throws for a failed request.

export const API = "/api/annotations/";

let csrf = "";

export function setCsrfToken(token) {
  csrf = token;
}

/** `version` is the passage's `modified` as last read: sent as If-Match, so a change made by
 * someone else in the meantime is refused (409 stale_passage) instead of overwritten. */
export async function send(method, url, payload, version) {
  const headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf };
  if (version) headers["If-Match"] = `"${version}"`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
  } catch (error) {
    return {
      ok: false,
      failure: {
        kind: "network",
        code: "network_error",
        message: "Could not reach the server (network error). Nothing was saved.",
        retry: true,
        detail: String(error && error.message ? error.message : error),
      },
    };
  }
  if (response.status === 204) return { ok: true, json: null };
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (response.ok && json) return { ok: true, json, etag: response.headers.get("ETag") };
  if (json && json.error && typeof json.error.message === "string") {
    return {
      ok: false,
      failure: {
        kind: "refused",
        status: response.status,
        code: json.error.code,
        message: json.error.message,
        fields: json.error.fields || {},
        // A 4xx is an answer about this request: sending it again gives the same answer.
        retry: response.status >= 500,
      },
    };
  }
  if (response.status >= 500) {
    return {
      ok: false,
      failure: {
        kind: "server",
        status: response.status,
        code: "server_error",
        message: `The server failed (HTTP ${response.status}). Nothing was saved.`,
        retry: true,
      },
    };
  }
  return {
    ok: false,
    failure: {
      kind: "bad_reply",
      status: response.status,
      code: "bad_reply",
      message: `The server's reply was not understood (HTTP ${response.status}, not JSON). The change may not have been saved.`,
      retry: true,
    },
  };
}

export const createPassage = (payload) => send("POST", API, payload);
export const updatePassage = (id, payload, version) => send("PATCH", `${API}${id}/`, payload, version);
export const deletePassage = (id, version) => send("DELETE", `${API}${id}/`, undefined, version);
