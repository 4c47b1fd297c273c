// "/" focuses the search box; on an article, "Jump to next match" cycles through the marks.
document.addEventListener("keydown", (e) => {
  const box = document.getElementById("q");
  if (e.key === "/" && box && document.activeElement !== box) { e.preventDefault(); box.focus(); box.select(); }
});
document.addEventListener("DOMContentLoaded", () => {
  const link = document.getElementById("next-match");
  const marks = Array.from(document.querySelectorAll(".article mark"));
  if (!link || marks.length === 0) { if (link) link.hidden = true; return; }
  let current = -1;
  link.addEventListener("click", (e) => {
    e.preventDefault();
    if (current >= 0) marks[current].classList.remove("current");
    current = (current + 1) % marks.length;
    marks[current].classList.add("current");
    marks[current].scrollIntoView({ block: "center" });
    link.textContent = `Jump to next match (${current + 1} of ${marks.length})`;
  });
});
