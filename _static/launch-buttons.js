// Colab opens only .ipynb files. Chapters are MyST Markdown notebooks (.md), which Binder and Live Code open
// (through jupytext) but Colab cannot, so the Colab button is removed on those pages; the exercise pages
// (.ipynb) keep it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('a[href^="https://colab.research.google.com/"]').forEach(function (link) {
    if (/\.md$/.test(link.getAttribute("href"))) {
      var item = link.closest("li");
      (item || link).remove();
    }
  });
});
