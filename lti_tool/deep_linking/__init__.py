"""Deep Linking 2.0: the instructor's module picker and the signed response to the LMS."""
