"""nbgrader for the lesson's exercises: the course is this folder (source/mnist_mlp/ is the
teacher's notebook, with solutions and hidden tests); scripts/grade runs each step of the
teacher's workflow here. nbgrader knows Python, R, Java...; for GoNB's kernel (language "go") it
needs the starting code that replaces each solution (code_stub) and the markers of solution
regions and hidden tests, which here sit in Go comments: "// ### BEGIN SOLUTION"."""
import os

import nbgrader
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 (nbgrader defines it)

c.CourseDirectory.course_id = "mnist-lesson"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# The student's starting code: it compiles wherever a solution stood (panic ends a function), and
# stops the cell with "not done yet" before the panic runs (lesson.NotDone).
c.ClearSolutions.code_stub = {"go": "// YOUR CODE HERE (then delete the next line)\npanic(lesson.NotDone())"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE / 여기에 답을 쓰세요"
c.ClearSolutions.begin_solution_delimeter = "### BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "### END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "### BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "### END HIDDEN TESTS"
# Autograding runs every cell through GoNB, each for at most this many seconds (a cell that loops
# forever is interrupted, reported, and grading goes on); training uses LESSON_EPOCHS, which
# scripts/grade sets short.
c.Execute.timeout = int(os.environ.get("LESSON_GRADE_TIMEOUT", "60"))
# Where released assignments and submissions meet: a folder every account can write to (on the
# class hub, scripts/classroom makes it).
c.Exchange.root = os.environ.get("LESSON_EXCHANGE", "/srv/nbgrader/exchange")
# Feedback pages hide the hidden tests, as the student version does, so that the exercises can be
# given again: nbgrader's feedback shows the autograded notebook, hidden tests and all, unless
# ClearHiddenTests runs there too (after GetGrades, which reads the scores from the gradebook).
# What a hidden test printed when it failed stays: it tells the student what to fix.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
# Feedback pages open offline: nbgrader's feedback template loads MathJax from a CDN whatever
# HTMLExporter.mathjax_url says, so templates/feedback-offline replaces that one macro.
c.HTMLExporter.template_name = "feedback-offline"
c.HTMLExporter.extra_template_basedirs = [
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates"),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates"),
]
