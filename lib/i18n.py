"""Every user-visible string, keyed by short English ids (zh default, en).

Add strings to ``STRINGS`` in the section of the page that uses them; keep
both languages. ``t()`` falls back to the key itself so a missing string is
visible rather than a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date

from lib.schema import is_missing

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_LANG: ContextVar[str] = ContextVar("lang", default=DEFAULT_LANG)

# key: (zh, en)
STRINGS: dict[str, tuple[str, str]] = {
    # --- app shell --------------------------------------------------------
    "app.title": ("攻坚看板", "Campaign Board"),
    "app.subtitle": ("旧改征收「百日攻坚」指挥看板", "Housing-expropriation 100-day campaign board"),
    "nav.overview": ("总览", "Overview"),
    "nav.map": ("地块地图", "Parcel map"),
    "nav.progress": ("进度曲线", "Progress curves"),
    "nav.teams": ("工作组排行", "Team leaderboard"),
    "nav.whatif": ("推演", "What-if"),
    "nav.data": ("数据", "Data"),
    "nav.brief": ("日报", "Daily brief"),
    "filter.header": ("筛选", "Filters"),
    "filter.asof": ("截至日期", "As of"),
    "filter.blocks": ("地块", "Blocks"),
    "filter.teams": ("工作组", "Teams"),
    "filter.ptypes": ("房屋用途", "Property type"),
    "filter.ownerships": ("产权性质", "Ownership"),
    "filter.all": ("全部", "All"),
    "filter.lang": ("语言", "Language"),
    "banner.asof": ("数据截至 {asof} · 第 {day} 天 / 共 100 天", "Data as of {asof} · day {day} of 100"),
    "banner.filtered": ("已筛选：{what}", "Filtered: {what}"),
    "notice.dropped": ("链接中的参数已忽略：{items}", "Ignored link parameters: {items}"),
    "notice.bad_date": ("{name}={value}（不是有效日期）", "{name}={value} (not a valid date)"),
    "notice.out_of_range": ("{name}={value}（超出数据范围 {first} 至 {last}）", "{name}={value} (outside the data, {first} to {last})"),
    "notice.unknown_value": ("{name}={value}（无此项）", "{name}={value} (no such item)"),
    "notice.bad_number": ("{name}={value}（应为 {low}–{high} 的整数）", "{name}={value} (expected a whole number {low}–{high})"),
    "notice.unknown_param": ("{name}（未知参数）", "{name} (unknown parameter)"),
    "empty.title": ("还没有数据", "No data yet"),
    "empty.body": (
        "当前数据库（{url}）中没有地块或住户。导入台账：在「数据」页上传，或运行 `python -m lib.ingest 台账.xlsx`；"
        "若只想看演示，运行 `python -m lib.demo --db {url}`。",
        "The database ({url}) has no blocks or households yet. Import a ledger on the Data page or run "
        "`python -m lib.ingest ledger.xlsx`; for the demo campaign run `python -m lib.demo --db {url}`.",
    ),
    "error.database": ("无法连接数据库：{error}", "Cannot reach the database: {error}"),
    "empty.scope": ("当前筛选下没有住户，请放宽筛选条件。", "No households match these filters; widen the selection."),
    "share.button": ("复制链接", "Copy link"),
    "share.freeze": ("冻结截至日期", "Freeze the as-of day"),
    "share.freeze_help": (
        "链接中写入当前截至日期，明天打开仍显示今天的数字。",
        "Writes today's as-of day into the link, so it shows today's numbers tomorrow too.",
    ),
    "share.hint": ("点击右上角图标复制；打开链接即为当前视图（只读，姓名已脱敏）。",
                   "Click the icon to copy; the link opens this exact view (read-only, names masked)."),
    # --- values -----------------------------------------------------------
    "stage.not_surveyed": ("未入户", "Not surveyed"),
    "stage.surveyed": ("已入户调查", "Surveyed"),
    "stage.appraised": ("已评估", "Appraised"),
    "stage.signed": ("已签约", "Signed"),
    "stage.sealed": ("已封房", "Sealed"),
    "stage.handed_over": ("已交房", "Handed over"),
    "stage.demolished": ("已拆除", "Demolished"),
    "ptype.住宅": ("住宅", "Residential"),
    "ptype.杂物间": ("杂物间", "Storage room"),
    "ptype.非住宅": ("非住宅", "Non-residential"),
    "own.私产": ("私产", "Private"),
    "own.公产": ("公产", "Public"),
    "own.单位产-央企": ("单位产-央企", "Institutional · central SOE"),
    "own.单位产-省属": ("单位产-省属", "Institutional · provincial"),
    "own.单位产-市属": ("单位产-市属", "Institutional · municipal"),
    "unit.households": ("户", "households"),
    "unit.per_day": ("户/天", "/day"),
    "unit.day_n": ("第 {n} 天", "day {n}"),
    # --- teams ------------------------------------------------------------
    "teams.title": ("工作组排行 · 成绩单", "Team leaderboard · score sheet"),
    "teams.summary": ("共 {n} 个工作组 · 已全部封房 {done} 个 · 后进 {lag} 个", "{n} teams · {done} finished · {lag} laggards"),
    "teams.rule_title": ("排名规则", "How teams are ranked"),
    "teams.rule_score": ("得分 = {formula}（0–100，保留两位小数）", "Score = {formula} (0–100, two decimals)"),
    "teams.rule_score_rate": ("封房率 × 100", "sealing rate × 100"),
    "teams.term.sealed": ("封房率", "sealing rate"),
    "teams.term.signed": ("签约率", "signing rate"),
    "teams.term.recent": ("近7日新增封房 ÷ 分配户数", "7-day sealed ÷ assigned"),
    "teams.rule_ties": (
        "得分高者在前；同分时先全部封房者在前（按所在地块第 N 天完成），再比近 7 日新增封房户数；三项都相同则名次并列。",
        "Higher score first; on equal scores the team that sealed everything in fewer days of its block, "
        "then the larger 7-day sealing gain; equal on all three means the same rank.",
    ),
    "teams.rule_laggard": (
        "后进：仍有未封房户，且连续 {stall} 天及以上无新增封房（地块启动后前 {grace} 天不计），"
        "或封房率低于本地块整体 {gap} 个百分点以上。",
        "Laggard: households left and no household sealed for {stall} days or more (not judged in a block's "
        "first {grace} days), or a sealing rate more than {gap} points below its block's.",
    ),
    "teams.rule_change": ("升降 = 与前一日名次相比（▲ 上升，▼ 下降）。", "Change = places moved since the previous day (▲ up, ▼ down)."),
    "teams.rule_config": ("权重与阈值在 .streamlit/secrets.toml 的 [scoring] 中设置。", "Weights and thresholds live in [scoring] of .streamlit/secrets.toml."),
    "teams.scoring_error": ("评分设置有误，已按默认规则排名：{error}", "Scoring settings are invalid; ranked by the default rule: {error}"),
    "teams.col.rank": ("排名", "Rank"),
    "teams.col.change": ("升降", "Change"),
    "teams.col.team": ("工作组", "Team"),
    "teams.col.organisation": ("单位", "Organisation"),
    "teams.col.block": ("地块", "Block"),
    "teams.col.assigned": ("分配户数", "Assigned"),
    "teams.col.signed": ("已签约", "Signed"),
    "teams.col.sealed": ("已封房", "Sealed"),
    "teams.col.sealed_rate": ("封房率", "Sealing rate"),
    "teams.col.score": ("得分", "Score"),
    "teams.col.today": ("今日封房", "Sealed today"),
    "teams.col.week": ("近7日封房", "Sealed, 7 days"),
    "teams.col.idle": ("无新增天数", "Days since gain"),
    "teams.col.status": ("状态", "Status"),
    "teams.col.laggard": ("后进", "Laggard"),
    "teams.col.reason": ("后进原因", "Reason"),
    "teams.col.finish_date": ("完成日期", "Finished on"),
    "teams.col.finish_day": ("完成天数", "Finish day"),
    "teams.finished": ("✓ 第 {n} 天全部封房", "✓ all sealed on day {n}"),
    "teams.not_started": ("未启动", "Not started"),
    "teams.laggard": ("后进", "Laggard"),
    "teams.yes": ("是", "yes"),
    "teams.reason.stalled": ("连续 {days} 天无新增封房", "no sealing for {days} days"),
    "teams.reason.below_block": ("封房率低于本地块 {gap} 个百分点", "{gap} points below its block"),
    "teams.finished_short": ("✓ 第 {n} 天完成", "✓ done day {n}"),
    "teams.reason_short.stalled": ("{days} 天无新增", "{days} days idle"),
    "teams.reason_short.below_block": ("低于地块 {gap} 点", "{gap} pts below block"),
    "teams.col.today_short": ("今日", "Today"),
    "teams.col.week_short": ("近7日", "7 days"),
    "teams.col.idle_short": ("无新增", "Idle days"),
    "teams.top": ("前列", "Top"),
    "teams.bottom": ("后进", "Laggards"),
    "teams.bottom_none": ("今日无后进工作组，末位：", "No laggards today; last places:"),
    "teams.more": ("另有 {n} 个", "and {n} more"),
    "teams.page": ("第 {i}/{n} 页 · 第 {first}–{last} 名", "page {i} of {n} · ranks {first}–{last}"),
    "teams.focus": ("工作组明细", "Team drill-down"),
    "teams.focus_placeholder": ("选择工作组，查看其未封房户…", "Choose a team to see its households left…"),
    "teams.remaining": ("{team}：未封房 {n} 户，等待最久的在前", "{team}: {n} households not sealed, longest waiting first"),
    "teams.remaining_none": ("{team}：{n} 户已全部封房。", "{team}: all {n} households sealed."),
    "teams.to_map": ("在地图上查看该工作组 →", "Show this team on the map →"),
    "teams.rcol.household": ("户号", "Household"),
    "teams.rcol.owner": ("被征收人", "Owner"),
    "teams.rcol.address": ("房屋坐落", "Address"),
    "teams.rcol.ptype": ("房屋用途", "Type"),
    "teams.rcol.stage": ("当前阶段", "Stage"),
    "teams.rcol.waiting": ("等待天数", "Days waiting"),
    "teams.rcol.flags": ("标记", "Flags"),
    "teams.waiting_help": ("等待天数：距该户最近一次进展（未有进展的从地块启动日算起）。", "Days waiting: since the household's latest milestone (since its block's launch if none)."),
    "teams.export": ("导出成绩单", "Export the score sheet"),
    "teams.export_xlsx": ("下载 Excel (xlsx)", "Download Excel (xlsx)"),
    "teams.export_csv": ("下载 CSV", "Download CSV"),
    "teams.export_title": ("工作组排行成绩单（截至 {asof}，攻坚第 {day} 天）", "Team score sheet (as of {asof}, campaign day {day})"),
    "teams.export_sheet": ("成绩单", "Score sheet"),
    "teams.export_file": ("成绩单", "score-sheet"),
    "teams.empty": ("当前筛选下没有工作组，请放宽筛选条件。", "No team matches these filters; widen the selection."),
    # --- data -------------------------------------------------------------
    "data.title": ("数据 · 台账导入", "Data · ledger import"),
    "data.screen": ("数据页不在大屏上显示。", "The data page is not shown on the big screen."),
    "data.local_banner": (
        "本地模式：未设置编辑密码，打开本看板的每个人都是编辑者，可以导入、撤销数据并看到被征收人姓名。"
        "部署前请在 .streamlit/secrets.toml 的 [auth] 中设置密码（运行 python -m lib.auth hash 生成）。",
        "Local mode: no editor password is set, so everyone who opens this board is an editor and can import, "
        "undo and see owners' names. Before deploying, set one under [auth] in .streamlit/secrets.toml "
        "(make it with python -m lib.auth hash).",
    ),
    "data.local_sidebar": (":material/lock_open: 本地模式：未设编辑密码，人人可编辑", ":material/lock_open: Local mode: no editor password, everyone edits"),
    "data.login.header": ("编辑者登录", "Editor login"),
    "data.login.body": (
        "导入、撤销和导出台账需要编辑密码。看板其他页面无需登录（姓名已脱敏）。",
        "Importing, undoing and exporting the ledger need the editor password. The other pages need no login "
        "(names masked).",
    ),
    "data.login.name": ("姓名", "Your name"),
    "data.login.name_help": ("记入导入历史。", "Recorded in the import history."),
    "data.login.password": ("编辑密码", "Editor password"),
    "data.login.submit": ("登录", "Log in"),
    "data.login.wrong": ("密码不正确。", "Wrong password."),
    "data.login.need_name": ("请填写姓名（记入导入历史）。", "Please give your name (it goes into the import history)."),
    "data.login.bad_config": ("编辑密码配置有误，暂时无法登录：{error}", "The editor password setting is invalid; nobody can log in: {error}"),
    "data.logged_in": ("已登录：{name}（编辑者）", "Logged in as {name} (editor)"),
    "data.logout": ("退出登录", "Log out"),
    "data.who": ("导入人", "Imported by"),
    "data.who_placeholder": ("填写姓名，记入导入历史", "Your name, for the import history"),
    "data.who_default": ("本地", "local"),
    "data.import.header": ("导入台账", "Import a ledger"),
    "data.upload": ("上传台账文件（可一次选多个）", "Upload ledger files (several at once is fine)"),
    "data.upload_help": (
        "xlsx / xls / csv（UTF-8 或 GBK）台账，四张表（地块、工作组、户、进度）任选；GIS 图斑可附 GeoJSON、GeoPackage "
        "或 Shapefile 压缩包。每个文件不超过 {mb} MB。确认前不会写入任何数据。",
        "xlsx / xls / csv (UTF-8 or GBK) ledgers with any of the four tables (blocks, teams, households, "
        "progress); footprints as GeoJSON, GeoPackage or a zipped Shapefile. Up to {mb} MB per file. Nothing is "
        "written until you confirm.",
    ),
    "data.reading": ("正在读取 {name}…", "Reading {name}…"),
    "data.validating": ("正在校验…", "Validating…"),
    "data.files": ("文件：{names} · {rows} 行 · 台账日期 {asof} · sha256 {sha}", "File: {names} · {rows} rows · as of {asof} · sha256 {sha}"),
    "data.asof_unknown": ("未注明", "not given"),
    "data.metric.rows": ("读取行数", "Rows read"),
    "data.metric.errors": ("错误", "Errors"),
    "data.metric.warnings": ("警告", "Warnings"),
    "data.changes": ("变化：", "Changes:"),
    "data.col.level": ("级别", "Level"),
    "data.col.sheet": ("表", "Sheet"),
    "data.col.row": ("行", "Row"),
    "data.col.column": ("列", "Column"),
    "data.col.message": ("说明", "Problem"),
    "data.level.error": ("✗ 错误", "✗ Error"),
    "data.level.warning": ("⚠ 警告", "⚠ Warning"),
    "data.verdict.refused": ("无法导入：{message}", "Cannot import: {message}"),
    "data.verdict.errors": (
        "有 {n} 个错误，不能导入，未写入任何数据。请在台账中改正后重新上传。",
        "{n} error(s): the ledger cannot be imported and nothing was written. Fix the ledger and upload it again.",
    ),
    "data.verdict.already": (
        "这个文件已于 {when} 导入过（批次 {batch}），无需重复导入。",
        "This file was already imported on {when} (batch {batch}); importing it again changes nothing.",
    ),
    "data.verdict.nothing": ("台账与当前数据一致，没有需要导入的变化。", "The ledger matches the current data; there is nothing to import."),
    "data.verdict.warnings": (
        "有 {n} 个警告，请逐条查看；确认无误后勾选下方选项再导入。",
        "{n} warning(s): read each one; tick the box below to import anyway.",
    ),
    "data.verdict.ready": ("校验通过，确认后写入。", "All checks passed; confirm to write."),
    "data.accept": ("我已查看以上 {n} 个警告，仍然导入", "I have read the {n} warning(s) above; import anyway"),
    "data.confirm": ("确认导入", "Confirm import"),
    "data.discard": ("放弃", "Discard"),
    "data.nothing_written": ("确认前不会写入任何数据。", "Nothing is written until you confirm."),
    "data.applying": ("正在写入…", "Writing…"),
    "data.applied": ("{message}。看板各页已按新数据更新。", "{message}. Every page of the board now shows the new data."),
    "data.history.header": ("导入历史", "Import history"),
    "data.history.empty": ("还没有导入记录。", "No imports yet."),
    "data.hcol.batch": ("批次", "Batch"),
    "data.hcol.when": ("导入时间", "Imported at"),
    "data.hcol.who": ("导入人", "By"),
    "data.hcol.file": ("文件", "File"),
    "data.hcol.rows": ("行数", "Rows"),
    "data.hcol.status": ("状态", "Status"),
    "data.hcol.summary": ("变化", "Changes"),
    "data.hcol.sha256": ("sha256", "sha256"),
    "data.status.applied": ("已生效", "applied"),
    "data.status.undone": ("已撤销", "undone"),
    "data.system": ("系统", "system"),
    "data.undo": ("撤销批次 {batch}", "Undo batch {batch}"),
    "data.undo_help": (
        "只能撤销最近一次导入；撤销后，该批次改动的日期恢复为导入前的值。",
        "Only the latest import can be undone; undoing restores the dates it changed to what they were.",
    ),
    "data.undo_confirm": (
        "确定撤销批次 {batch}（{file}：{summary}）？该批次写入的日期将恢复为导入前的值。",
        "Undo batch {batch} ({file}: {summary})? The dates it wrote go back to what they were before.",
    ),
    "data.undo_yes": ("确认撤销", "Yes, undo it"),
    "data.undo_no": ("取消", "Cancel"),
    "data.undone": ("已撤销批次 {batch}，数据已恢复到导入前。", "Batch {batch} undone; the data is back to what it was before."),
    "data.undo_failed": ("撤销失败：{error}", "Undo failed: {error}"),
    "data.undo_none": ("没有可撤销的导入（初始装载不能撤销）。", "Nothing to undo (an initial bulk load cannot be undone)."),
    "data.export.header": ("导出", "Export"),
    "data.export.ledger": ("下载当前台账 (xlsx)", "Download the current ledger (xlsx)"),
    "data.export.template": ("下载空白模板 (xlsx)", "Download a blank template (xlsx)"),
    "data.export.help": (
        "导出的台账与导入格式相同，可修改后再导入；其中有被征收人姓名，请妥善保管。",
        "The export has the layout the importer reads, so it can be edited and imported again; it holds "
        "owners' names: keep it safe.",
    ),
    # --- map --------------------------------------------------------------
    "map.basemap": ("底图", "Basemap"),
    "basemap.none": ("无底图", "None"),
    "basemap.osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap.tianditu": ("天地图", "Tianditu"),
    "basemap.amap": ("高德", "AMap"),
    "map.stages": ("阶段", "Stages"),
    "map.left_only": ("只看未完成（隐藏已封房）", "Only what is left (hide sealed)"),
    "map.no_tianditu_key": (
        "未配置天地图密钥（secrets 中 [tianditu] key 或环境变量 TIANDITU_KEY），已改为无底图。",
        "No Tianditu key is configured ([tianditu] key in secrets or TIANDITU_KEY); showing no basemap.",
    ),
    "map.bad_default_basemap": (
        "配置的默认底图 {value} 无效（可选 none / osm / tianditu / amap），已使用 OpenStreetMap。",
        "The configured default basemap {value} is unknown (none / osm / tianditu / amap); using OpenStreetMap.",
    ),
    "map.tiles_failed": ("底图无法加载（无网络？），已改为无底图", "Basemap tiles cannot load (no network?); showing no basemap"),
    "map.city_view": (
        "当前筛选共 {n} 户，超过单张地图 {max} 户的上限，按地块显示封房率。点击地块或在右侧选择地块查看住户。",
        "{n} households match, more than one map shows ({max}): blocks are drawn by sealing rate. "
        "Click a block or choose one on the right to see its households.",
    ),
    "map.pick_block": ("查看地块住户", "See a block's households"),
    "map.pick_placeholder": ("选择地块…", "Choose a block…"),
    "map.household": ("户号", "Household"),
    "map.household_placeholder": ("点击地图上的房屋，或选择户号…", "Click a house on the map, or choose an id…"),
    "map.hint": ("点击地图上的房屋，查看进度记录、工作组和标记。", "Click a house on the map to see its stage history, team and flags."),
    "map.drawn": ("图上 {n} 户", "{n} households on the map"),
    "map.no_geometry": ("{n} 户没有房屋图形，未在图上绘制。", "{n} households have no footprint and are not drawn."),
    "map.empty": ("当前筛选和阶段条件下没有住户。", "No households match these filters and stages."),
    "map.legend.stage": ("{asof} 当前阶段", "Stage on {asof}"),
    "map.legend.rate": ("{asof} 封房率", "Sealing rate on {asof}"),
    "map.tip.owner": ("被征收人", "Owner"),
    "map.tip.address": ("房屋坐落", "Address"),
    "map.tip.ptype": ("房屋用途", "Type"),
    "map.tip.stage": ("当前阶段", "Stage"),
    "map.tip.unsigned": ("未签约", "Unsigned"),
    "map.tip.unsigned_days": ("启动后 {n} 天", "{n} days since launch"),
    "map.tip.team": ("工作组", "Team"),
    "map.tip.households": ("户数", "Households"),
    "map.tip.left": ("未封房", "Not sealed"),
    "map.tip.click_block": ("点击查看本地块住户", "Click to see its households"),
    "map.panel.block": ("地块", "Block"),
    "map.panel.ownership": ("产权性质", "Ownership"),
    "map.panel.area": ("建筑面积", "Floor area"),
    "map.panel.area_value": ("{a} 平方米", "{a} m²"),
    "map.panel.flags": ("标记", "Flags"),
    "map.panel.no_flags": ("无", "none"),
    "map.panel.history": ("进度记录（截至 {asof}）", "Stage history (as of {asof})"),
    "map.panel.not_reached": ("—", "—"),
    "flag.孤寡老人": ("孤寡老人", "Elderly living alone"),
    "flag.困难户": ("困难户", "Hardship household"),
    "flag.上门签约": ("上门签约", "Signing at home"),
    # --- overview ---------------------------------------------------------
    "overview.title": ("总览", "Overview"),
    "kpi.households": ("征收户数", "Households"),
    "kpi.signed_rate": ("签约率", "Signed"),
    "kpi.sealed_rate": ("封房率", "Sealed"),
    "kpi.today": ("今日新增", "Today"),
    "kpi.today_value": ("签约 +{signed} · 封房 +{sealed}", "signed +{signed} · sealed +{sealed}"),
    "kpi.day": ("攻坚天数", "Campaign day"),
    "kpi.day_value": ("第 {n} 天", "Day {n}"),
    "kpi.days_left": ("剩余天数", "Days left"),
    "kpi.of_households": ("{done} / {total} 户", "{done} of {total}"),
    "kpi.deadline": ("截止 {deadline}", "deadline {deadline}"),
    "kpi.overdue": ("已超期 {n} 天", "{n} days overdue"),
    "blocks.header": ("各地块进度", "Blocks"),
    "col.block": ("地块", "Block"),
    "col.households": ("户数", "Households"),
    "col.signed_rate": ("签约率", "Signed"),
    "col.sealed_rate": ("封房率", "Sealed"),
    "col.day_n": ("天数", "Day"),
    "col.full_day": ("双百天数", "Double 100 % on"),
    "col.pace": ("7日均封房", "7-day pace"),
    "col.required": ("需日均", "Required"),
    "col.today": ("今日封房", "Sealed today"),
    "col.finish": ("预计封房完成", "Sealed by (P50)"),
    "col.status": ("研判", "Outlook"),
    "records.header": ("台江速度", "Records"),
    "records.fastest": ("{name}：第 {days} 天签约率、封房率双达 100%", "{name}: signed and sealed 100 % on day {days}"),
    "records.none": ("尚无地块实现签约、封房“双百”", "No block has reached signed and sealed 100 % yet"),
    "records.first_full": ("首个“双百”地块", "First double 100 %"),
    "records.team_full": ("{team}：{n} 户第 {days} 天全部封房", "{team}: all {n} households sealed by day {days}"),
    "overdue": ("已超期", "overdue"),
    "not_yet": ("—", "—"),
    # --- progress ---------------------------------------------------------
    "progress.xaxis": ("横轴", "X axis"),
    "progress.x.day": ("攻坚天数", "Campaign day"),
    "progress.x.date": ("日期", "Date"),
    "progress.chart": ("图表", "Chart"),
    "progress.chart.blocks": ("分地块", "Per block"),
    "progress.chart.overlay": ("地块叠加", "Blocks overlaid"),
    "progress.overlay.signed": ("签约率 · 各地块", "Signed · all blocks"),
    "progress.overlay.sealed": ("封房率 · 各地块", "Sealed · all blocks"),
    "progress.deadline": ("第100天", "day 100"),
    "progress.today": ("今日", "today"),
    "progress.gained": ("日增", "gained"),
    "progress.per_day": ("户/天", "/day"),
    "progress.day_tick": ("{n}天", "day {n}"),
    "progress.full": ("第{n}天达 100%", "100% on day {n}"),
    "progress.full_short": ("★第{n}天", "★ day {n}"),
    "progress.key.signed": ("签约", "Signed"),
    "progress.key.sealed": ("封房", "Sealed"),
    "progress.finish_label": ("预计 {date}", "P50 {date}"),
    "progress.band": ("预计 P10–P90", "forecast P10–P90"),
    "progress.p50": ("预计 P50", "forecast P50"),
    "progress.method": (
        "预计完成：按本地块近 14 天的日增抽样模拟 2000 次（越近的日子权重越大，并计入“最后几户越来越慢”），"
        "P50 为中位日期，括号内为 P10–P90 区间；区间晚于第 100 天为“有风险”，中位晚于第 100 天为“将超期”。"
        "P90 指“照目前的速度与放缓”，不是保证。",
        "Projected finish: 2,000 simulations resampling the block's last 14 days of gains (recent days weigh more; "
        "the last households are allowed to come ever slower). P50 is the median date, the band in brackets P10–P90. "
        "A band ending after day 100 is “at risk”, a median after it “late”. Read P90 as “at the pace and slowdown "
        "seen so far”, not as a promise.",
    ),
    "col.pace_both": ("近7日日均 签约/封房", "7-day pace signed / sealed"),
    "col.required_both": ("需日均 签约/封房", "Required signed / sealed"),
    "col.finish_signed": ("签约预计完成", "Signed: finish"),
    "col.finish_sealed": ("封房预计完成", "Sealed: finish"),
    "col.outlook": ("研判", "Outlook"),
    "forecast.finished": ("已完成", "Finished"),
    "forecast.on_track": ("可按期", "On track"),
    "forecast.at_risk": ("有风险", "At risk"),
    "forecast.late": ("将超期", "Late"),
    "forecast.stalled": ("停滞", "Stalled"),
    "forecast.no_data": ("无数据", "No data"),
    "forecast.not_started": ("未启动", "Not started"),
    "forecast.done_on": ("✓ {date}", "✓ {date}"),
    "forecast.beyond": ("一年以上", "over a year"),
    "forecast.stalled_cell": ("近7日无进展", "no gain in 7 days"),
    # --- 推演 what-if (pages/whatif.py, lib/figures/whatif.py) ---------------
    "whatif.title": ("推演", "What-if"),
    "whatif.intro": ("调整参数，看按期完成的把握：推演与基线使用同一预测模型，未调整时两者完全相同。",
                     "Change the levers and see the chance of finishing on time: the scenario runs on the baseline's own forecast, and with no change the two are identical."),
    "whatif.stage": ("看哪项进度", "Stage"),
    "whatif.stage.signed": ("签约", "Signing"),
    "whatif.stage.sealed": ("封房", "Sealing"),
    "whatif.baseline": ("基线", "Baseline"),
    "whatif.scenario": ("推演", "Scenario"),
    "whatif.actual_later": ("实际（后来记录）", "Actual (recorded later)"),
    "whatif.today": ("截至日", "as of"),
    "whatif.target": ("目标日", "target"),
    "whatif.target_each": ("各地块第100天", "each block's day 100"),
    "whatif.campaign": ("全部地块", "Campaign"),
    "whatif.mark.pace_abs": ("{value}户/天", "{value}/day"),
    "whatif.mark.capacity": ("{value}户/天", "{value}/day"),
    "whatif.mark.holdout": ("最后{n}户", "last {n}"),
    "whatif.col.block": ("地块", "Block"),
    "whatif.col.finish_base": ("基线完成 P50（P10–P90）", "Baseline P50 (P10–P90)"),
    "whatif.col.finish_scen": ("推演完成 P50（P10–P90）", "Scenario P50 (P10–P90)"),
    "whatif.col.on_time": ("按期概率 基线→推演", "On time, base → scenario"),
    "whatif.col.needed": ("80%把握所需日均", "Needed/day (80 %)"),
    "whatif.col.pace": ("推演日均", "Scenario/day"),
    "whatif.col.gap": ("还差（+）/富余（✓）", "Short + / spare ✓"),
    "whatif.col.actual": ("实际完成", "Actual finish"),
    "whatif.actual_open": ("尚未完成", "not yet"),
    "whatif.verdict.inside": ("在区间内", "inside the band"),
    "whatif.verdict.early": ("早于P10", "before P10"),
    "whatif.verdict.late": ("晚于P90", "after P90"),
    "whatif.tile.on_time": ("按期概率（{stage}）", "On-time chance ({stage})"),
    "whatif.tile.baseline": ("基线 {value}", "baseline {value}"),
    "whatif.tile.p50": ("预计全部完成（P50）", "Expected finish (P50)"),
    "whatif.tile.needed": ("80%把握所需日均（户）", "Pace needed, 80 % (per day)"),
    "whatif.tile.pace_now": ("推演日均 {value} · 目标 {target}", "scenario pace {value} · target {target}"),
    "whatif.levers": ("调整参数", "Levers"),
    "whatif.levers_set": ("调整参数（已设 {n} 项）", "Levers ({n} set)"),
    "whatif.target_input": ("目标日（空 = 各地块第100天）", "Target day (empty = each block's day 100)"),
    "whatif.pace_input": ("{block} 日均", "{block} pace"),
    "whatif.pace_help": ("1.5 = 近期日均×1.5；4/d = 每天4户；可加 @日期 表示从该日起", "1.5 = recent pace × 1.5; 4/d = 4 a day; add @date to start on that day"),
    "whatif.move_input": ("调派工作组（已完成的组，按其最近14天实绩）", "Move teams (finished teams, at their last 14 days' record)"),
    "whatif.move_option": ("{team} → {block}（{capacity}户/天）", "{team} → {block} ({capacity}/day)"),
    "whatif.exclude_input": ("排除或交由市里处理", "Exclude or settle by the city"),
    "whatif.exclude_option": ("不计入：{what}", "Leave out: {what}"),
    "whatif.settle_option": ("{what} 于 {day} 结清", "{what} settled on {day}"),
    "whatif.holdout_input": ("钉子户：地块:户数@日期（如 zhuangyuan:5@2023-12-10）", "Holdouts: block:K@day (e.g. zhuangyuan:5@2023-12-10)"),
    "whatif.holdout_option": ("{block} 最后{n}户于 {day} 完成", "{block}: last {n} close on {day}"),
    "whatif.free_hint": ("也可直接输入，如 3:zhuangyuan@2023-10-25 或 own:单位产-央企@2023-11-01", "You can also type one, e.g. 3:zhuangyuan@2023-10-25 or own:单位产-央企@2023-11-01"),
    "whatif.bad_lever": ("未采用：{items}", "Not applied: {items}"),
    "whatif.ignored.not_finished": ("{lever}（该组尚未完成，不能调派）", "{lever} (that team has not finished: it cannot move)"),
    "whatif.ignored.no_recent_pace": ("{lever}（近7日无进展，无法按日均换算）", "{lever} (no gain in 7 days: no pace to scale)"),
    "whatif.since": ("，自 {day} 起", " from {day}"),
    "whatif.line.pace": ("{block}：日均 ×{value}", "{block}: pace × {value}"),
    "whatif.line.pace_abs": ("{block}：日均 {value} 户", "{block}: {value} a day"),
    "whatif.line.move": ("{source} 支援 {block}", "{source} moves to {block}"),
    "whatif.line.exclude": ("{what} 不计入", "{what} left out"),
    "whatif.line.settle": ("{what} 于 {day} 由市里结清", "{what} settled by the city on {day}"),
    "whatif.line.holdout": ("{block} 最后 {n} 户于 {day} 完成", "{block}: last {n} close on {day}"),
    "whatif.line.target": ("目标日 {day}", "target day {day}"),
    "whatif.no_levers": ("未调整：推演 = 基线", "No levers set: scenario = baseline"),
    "whatif.summary": ("推演设定：", "The scenario: "),
    "whatif.sep": ("；", "; "),
    "whatif.backtest": ("回测：对照截至日之后的实际记录", "Back-test: compare with what the ledger recorded later"),
    "whatif.backtest_help": ("选一个较早的截至日，把后来发生的情况设为推演（如某日调派了工作组），看推演区间是否覆盖实际。",
                             "Pick an earlier as-of day, set the scenario to what happened afterwards (e.g. a team moved on day 30), and see whether its band held the truth."),
    "whatif.saved": ("已保存的推演", "Saved scenarios"),
    "whatif.saved_none": ("还没有保存的推演。", "No saved scenarios yet."),
    "whatif.saved_row": ("{name} · 截至 {asof} · {by}", "{name} · as of {asof} · {by}"),
    "whatif.saved_open": ("打开", "Open"),
    "whatif.saved_rerun": ("按今日数据重算", "Rerun on today's data"),
    "whatif.saved_moved": ("数据已更新", "data has moved on"),
    "whatif.saved_opened": ("已打开保存的推演「{name}」（截至 {asof}）。", "Opened the saved scenario “{name}” (as of {asof})."),
    "whatif.saved_stale": ("保存之后数据已更新（数据版本 {then} → {now}），下面的数字按保存时的截至日重算；可以按今日数据重算：",
                           "The data has moved on since it was saved (data version {then} → {now}); the figures below are recomputed for its as-of day. Rerun it on today's data:"),
    "whatif.save_name": ("推演名称", "Scenario name"),
    "whatif.save": ("保存推演", "Save scenario"),
    "whatif.save_noname": ("请先填写推演名称。", "Give the scenario a name first."),
    "whatif.saved_ok": ("已保存「{name}」。", "Saved “{name}”."),
    "whatif.save_viewer": ("只有编辑人员可以保存推演；查看者可以打开。", "Only editors can save scenarios; viewers can open them."),
    "whatif.method": ("方法：推演与基线是同一个预测（lib/forecast）。日均倍数、调派工作组改变模拟的日进度（调派的组按其完成前最近14天的实绩计）；排除的户不再计入，交由市里或钉子户在其日期完成，其余户照常预测，完成日取两者较晚者。按期概率 = 模拟路径中在目标日前完成的比例；封房不早于签约；全部地块 = 每条路径上最晚完成的地块。80%把握所需日均 = 把近期日进度按比例放大、使80%的路径在目标日前完成所需的日均。",
                      "Method: the scenario is the baseline's own forecast (lib/forecast). Pace levers and moved teams change the simulated daily gains (a moved team at its last 14 days of work before it finished); excluded households leave the count, settled ones and holdouts close on their day and the rest are forecast as usual, the finish being the later of the two. On-time chance = the share of simulated paths finished by the target; sealing never before signing; the campaign = the last block on each path. Pace needed (80 %) = the recent daily gains scaled until 80 % of the paths finish by the target."),
}


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    """The string for ``key`` in ``lang`` (default: the session's), formatted with ``values``."""
    lang = lang or current_lang()
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[LANGS.index(lang)] if lang in LANGS else pair[0]
    return text.format(**values) if values else text


def label(kind: str, value: str, lang: str | None = None) -> str:
    """A translated domain value, e.g. ``label("stage", "signed")``."""
    key = f"{kind}.{value}"
    return t(key, lang) if key in STRINGS else value


def set_lang(lang: str) -> None:
    """Make ``lang`` the default of :func:`t` for the rest of this script run (this thread).

    The web edge calls it at the start of every run; outside Streamlit the
    default stays Chinese.
    """
    _LANG.set(lang if lang in LANGS else DEFAULT_LANG)


def current_lang(state: Mapping[str, object] | None = None) -> str:
    """The language of ``state`` (a ``lang`` entry), else the one :func:`set_lang` chose for this run."""
    lang = _LANG.get() if state is None else state.get("lang")
    return lang if lang in LANGS else DEFAULT_LANG  # type: ignore[return-value]


def pct(value: float) -> str:
    """A share as a percentage with two decimals (DESIGN.md), '—' when undefined."""
    if is_missing(value):
        return "—"
    return f"{value * 100:.2f}%"


def month_day(day: date | None, asof: date) -> str:
    """A date as month-day, with the year when it is not the as-of day's year."""
    if is_missing(day):
        return "…"
    return day.strftime("%m-%d") if day.year == asof.year else day.isoformat()
