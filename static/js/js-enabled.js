// Runs before the page is drawn, so styles for "JavaScript is on" apply without a flash.
document.documentElement.classList.add("js-enabled");
