"""The learner's activity inside the LMS frame: pages, items, feedback, progress, finish.

``services`` holds the logic (plain arguments, no ``request``), ``views`` the thin
Flask blueprint ``runner``, ``answers`` turns posted form fields into engine
answers and ``render`` turns authored Markdown + math into safe HTML.
"""
