"""Live chat: a caller waiting on 101 moves to a web chat with their context and place
(issue 17). Core only (rows 0-4): the public page and the agents' desk are ivr.console's."""
