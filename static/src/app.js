// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("mz-js");
