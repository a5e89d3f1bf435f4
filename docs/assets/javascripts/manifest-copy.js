// The copy button on a manifest block copies the file's exact bytes.
//
// Material's copy button trims trailing whitespace, so a manifest would reach the
// clipboard without its final newline (and `cat > x.yaml` pastes would differ from
// the file). This listener runs in the capture phase, before clipboard.js handles the
// click, and hands it the file through data-clipboard-text: the block's own text with
// one final newline, or, for the rare file whose bytes the block cannot show exactly,
// the URL-safe base64 the macro put on the block's raw-file link (scripts/deepdive/embed.py).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-clipboard-target]") : null;
  const block = button ? button.closest(".highlight") : null;
  const links = block ? block.nextElementSibling : null;
  const raw = links ? links.querySelector("a.manifest-raw") : null;
  if (!raw) return;
  let text;
  if (raw.dataset.copyBase64) {
    const base64 = raw.dataset.copyBase64.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    text = new TextDecoder().decode(bytes);
  } else {
    const code = block.querySelector("pre > code");
    if (!code) return;
    text = code.textContent.replace(/\n+$/, "") + "\n";
  }
  button.setAttribute("data-clipboard-text", text);
}, true);
