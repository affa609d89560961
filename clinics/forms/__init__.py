"""Forms for the browser pages: each module reads one page's input and checks it with the
services' rules, so a page can never accept what the services would refuse."""
