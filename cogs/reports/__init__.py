"""Reports: activity, newcomers, moderation and satisfaction, with charts and a CSV export."""

from cogs.reports.cog import ReportsCog

COG = ReportsCog

__all__ = ["COG"]
