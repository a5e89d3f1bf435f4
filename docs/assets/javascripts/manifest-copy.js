// The copy button on a manifest block copies the file's exact bytes.
//
// Material's copy button trims trailing whitespace, so a manifest would reach the
// clipboard without its final newline (and `cat > x.yaml` pastes would differ from
// the file). The macro puts the file's bytes, URL-safe base64, on the block's
// raw-file link; this listener runs in the capture phase, before clipboard.js
// handles the click, and hands it that text through data-clipboard-text.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-clipboard-target]") : null;
  const block = button ? button.closest(".highlight") : null;
  const links = block ? block.nextElementSibling : null;
  const raw = links ? links.querySelector("a.manifest-raw[data-copy-base64]") : null;
  if (!raw) return;
  const base64 = raw.dataset.copyBase64.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  button.setAttribute("data-clipboard-text", new TextDecoder().decode(bytes));
}, true);
