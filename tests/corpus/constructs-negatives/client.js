// A product token in a User-Agent header, and a document's file URL: neither names a model.
async function send(url) {
  return fetch(url, { headers: { "X-Acme-UA": "AcmeLLM-Mail-Agent/1.0" } });
}
const doc = { url: "file:///Users/alice/Documents/acme-llm/hotdir/acmellm.txt" };
