"""Taking applications in and delivering them: submit(), the step runner, the Huey tasks."""
