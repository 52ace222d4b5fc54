// URLs for messages: a user name or password in a URL is most often a token,
// and no message repeats one.

/**
 * The URL as given, with anything that may be a user name or password (all of
 * the authority up to its last @) replaced by ***. Works on text that does not
 * parse as a URL too, since that text is echoed in the message that says so.
 */
export function withoutUserInfo(raw: string): string {
  return raw.replace(/^([^/?#@]*\/\/)?[^/?#]*@/, (_, scheme: string | undefined) => `${scheme ?? ''}***@`)
}

/** A URL a server named, for a message: user-info shown as *** (its presence alone can be why the URL is refused), no query or fragment (a server can put anything there). */
export function shownUrl(url: URL): string {
  const shown = new URL(url)
  shown.search = ''
  shown.hash = ''
  return withoutUserInfo(shown.href)
}
