"""The bench's look: large type and strong colours, readable at arm's length on a bench screen."""

STYLE = """
QWidget { font-size: 12pt; }
#loginTitle { font-size: 26pt; font-weight: bold; }
#unitHeading { font-size: 22pt; font-weight: bold; }
#stateBadge { font-size: 13pt; font-weight: bold; color: #0b4f8a; }
#scanBanner { font-size: 15pt; font-weight: bold; padding: 10px; border-radius: 4px;
              background: #e8eef4; color: #1d2b36; }
#scanBanner[tone="ok"] { background: #d9f2dd; color: #11501d; }
#scanBanner[tone="warn"] { background: #fdf0c8; color: #6b4a00; }
#scanBanner[tone="error"] { background: #fbdcdc; color: #8a1010; }
#errorText { color: #8a1010; font-weight: bold; }
"""
