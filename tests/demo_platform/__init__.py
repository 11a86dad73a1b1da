"""Tests of the demo LMS (``lti_tool.demo_platform``) over real HTTP."""
