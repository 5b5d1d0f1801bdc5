"""The website chat: the widget's socket, its visitors, and their messages into the social inbox."""
