/** SHA-256 as lowercase hex, with WebCrypto (browser secure contexts and Node ≥ 20 alike). */
export async function sha256Hex(data: Uint8Array | Blob): Promise<string> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
