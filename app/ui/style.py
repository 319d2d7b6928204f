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

# Named colours of the same palette, for what a style sheet cannot reach (Qt Charts series, brushes).
INK = "#1d2b36"          # body text
MUTED = "#555555"        # secondary text, "no data"
ACCENT = "#0b4f8a"       # the bench's blue: main series, headings
ACCENT_LIGHT = "#7fa7cc"  # the second series beside ACCENT (p90 beside median)
OK = "#11501d"
OK_BG = "#d9f2dd"
WARN = "#6b4a00"
WARN_BG = "#fdf0c8"
ERROR = "#8a1010"
ERROR_BG = "#fbdcdc"
PANEL_BG = "#e8eef4"
# Categorical colours for pie slices and routes: distinguishable, dark enough for white labels.
SERIES = ("#0b4f8a", "#2e7d32", "#b26a00", "#8a1010", "#5e35b1", "#00796b", "#6d4c41", "#455a64")

DASHBOARD_STYLE = f"""
#kpiTile {{ background: {PANEL_BG}; border-radius: 6px; }}
#kpiTile[tone="ok"] {{ background: {OK_BG}; }}
#kpiTile[tone="warn"] {{ background: {WARN_BG}; }}
#kpiTile[tone="error"] {{ background: {ERROR_BG}; }}
#kpiTileValue {{ font-size: 30pt; font-weight: bold; color: {INK}; }}
#kpiTileValue[nodata="true"] {{ font-size: 16pt; font-weight: normal; color: {MUTED}; }}
#kpiTileCaption {{ font-size: 12pt; color: {INK}; }}
#dashboardHeading {{ font-size: 13pt; font-weight: bold; color: {ACCENT}; }}
#dashboardNoData {{ font-size: 14pt; color: {MUTED}; }}
#dashboardFootnote {{ font-size: 10pt; color: {MUTED}; }}
#dashboardAsOf {{ color: {MUTED}; }}
"""
