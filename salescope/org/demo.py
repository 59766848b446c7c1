"""The demo company's organisation: 华远食品 with four regions, branches, teams and ~40 people.

Deterministic and idempotent: units are keyed by code and people by username, so a second run
changes nothing. The personas of STYLE.md are here with the documented password.
"""

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from salescope.org import services
from salescope.org.choices import Role, TerritoryKind, UnitKind
from salescope.org.models import Membership, OrgUnit, Position, Territory, User

DEMO_PASSWORD = "Salescope@2026"  # noqa: S105 - documented in the README for the demo only

# The personas every test and the README refer to: username → (name, role, unit code).
PERSONAS = {
    "admin": ("系统管理员", Role.ADMINISTRATOR, "HQ"),
    "liuyang": ("刘洋", Role.SALES_DIRECTOR, "HQ"),
    "wangqiang": ("王强", Role.MANAGER, "EAST"),
    "lina": ("李娜", Role.MANAGER, "EAST-SH-1"),
    "zhangwei": ("张伟", Role.SALESPERSON, "EAST-SH-1"),
    "chenjing": ("陈静", Role.SALESPERSON, "SOUTH-GZ-1"),
    "zhaomin": ("赵敏", Role.FINANCE, "FIN"),
    "sunli": ("孙丽", Role.MARKETING, "MKT"),
}

# code, name, kind, parent code, manager username
UNITS = [
    ("HQ", "华远食品有限公司", UnitKind.COMPANY, None, "zhoujianguo"),
    ("FIN", "财务部", UnitKind.DEPARTMENT, "HQ", "zhaomin"),
    ("MKT", "市场部", UnitKind.DEPARTMENT, "HQ", "sunli"),
    ("EAST", "华东大区", UnitKind.REGION, "HQ", "wangqiang"),
    ("EAST-SH", "上海分公司", UnitKind.BRANCH, "EAST", "xuming"),
    ("EAST-SH-1", "上海一组", UnitKind.TEAM, "EAST-SH", "lina"),
    ("EAST-SH-2", "上海二组", UnitKind.TEAM, "EAST-SH", "hetao"),
    ("EAST-HZ", "杭州分公司", UnitKind.BRANCH, "EAST", "guojing"),
    ("EAST-HZ-1", "杭州一组", UnitKind.TEAM, "EAST-HZ", "guojing"),
    ("SOUTH", "华南大区", UnitKind.REGION, "HQ", "huangfei"),
    ("SOUTH-GZ", "广州分公司", UnitKind.BRANCH, "SOUTH", "luoping"),
    ("SOUTH-GZ-1", "广州一组", UnitKind.TEAM, "SOUTH-GZ", "luoping"),
    ("SOUTH-SZ", "深圳分公司", UnitKind.BRANCH, "SOUTH", "zhengkai"),
    ("SOUTH-SZ-1", "深圳一组", UnitKind.TEAM, "SOUTH-SZ", "zhengkai"),
    ("NORTH", "华北大区", UnitKind.REGION, "HQ", "mahui"),
    ("NORTH-BJ", "北京分公司", UnitKind.BRANCH, "NORTH", "songyu"),
    ("NORTH-BJ-1", "北京一组", UnitKind.TEAM, "NORTH-BJ", "songyu"),
    ("NORTH-TJ", "天津分公司", UnitKind.BRANCH, "NORTH", "hanxue"),
    ("NORTH-TJ-1", "天津一组", UnitKind.TEAM, "NORTH-TJ", "hanxue"),
    ("WEST", "西南大区", UnitKind.REGION, "HQ", "tangjun"),
    ("WEST-CD", "成都分公司", UnitKind.BRANCH, "WEST", "fengyan"),
    ("WEST-CD-1", "成都一组", UnitKind.TEAM, "WEST-CD", "fengyan"),
    ("WEST-CQ", "重庆分公司", UnitKind.BRANCH, "WEST", "dengli"),
    ("WEST-CQ-1", "重庆一组", UnitKind.TEAM, "WEST-CQ", "dengli"),
]

# Everyone else: username, name, role, unit code.
OTHERS = [
    ("zhoujianguo", "周建国", Role.EXECUTIVE, "HQ"),
    ("xuming", "徐明", Role.MANAGER, "EAST-SH"),
    ("hetao", "何涛", Role.MANAGER, "EAST-SH-2"),
    ("guojing", "郭静", Role.MANAGER, "EAST-HZ-1"),
    ("huangfei", "黄飞", Role.MANAGER, "SOUTH"),
    ("luoping", "罗平", Role.MANAGER, "SOUTH-GZ-1"),
    ("zhengkai", "郑凯", Role.MANAGER, "SOUTH-SZ-1"),
    ("mahui", "马辉", Role.MANAGER, "NORTH"),
    ("songyu", "宋宇", Role.MANAGER, "NORTH-BJ-1"),
    ("hanxue", "韩雪", Role.MANAGER, "NORTH-TJ-1"),
    ("tangjun", "唐军", Role.MANAGER, "WEST"),
    ("fengyan", "冯艳", Role.MANAGER, "WEST-CD-1"),
    ("dengli", "邓丽", Role.MANAGER, "WEST-CQ-1"),
    ("yangfan", "杨帆", Role.SALESPERSON, "EAST-SH-1"),
    ("zhoulei", "周磊", Role.SALESPERSON, "EAST-SH-1"),
    ("wuxia", "吴霞", Role.SALESPERSON, "EAST-SH-2"),
    ("zhuhao", "朱浩", Role.SALESPERSON, "EAST-SH-2"),
    ("linfeng", "林峰", Role.SALESPERSON, "EAST-HZ-1"),
    ("heli", "何丽", Role.SALESPERSON, "EAST-HZ-1"),
    ("gaoyang", "高阳", Role.SALESPERSON, "SOUTH-GZ-1"),
    ("liangyu", "梁玉", Role.SALESPERSON, "SOUTH-GZ-1"),
    ("xieqiang", "谢强", Role.SALESPERSON, "SOUTH-SZ-1"),
    ("caimin", "蔡敏", Role.SALESPERSON, "SOUTH-SZ-1"),
    ("panwen", "潘文", Role.SALESPERSON, "NORTH-BJ-1"),
    ("dongjie", "董杰", Role.SALESPERSON, "NORTH-BJ-1"),
    ("yuanhong", "袁红", Role.SALESPERSON, "NORTH-TJ-1"),
    ("jiangtao", "蒋涛", Role.SALESPERSON, "NORTH-TJ-1"),
    ("caoying", "曹颖", Role.SALESPERSON, "WEST-CD-1"),
    ("pengbo", "彭波", Role.SALESPERSON, "WEST-CD-1"),
    ("luxin", "卢鑫", Role.SALESPERSON, "WEST-CQ-1"),
    ("jiangnan", "江楠", Role.SALESPERSON, "WEST-CQ-1"),
    ("qianyu", "钱雨", Role.FINANCE, "FIN"),
    ("weina", "魏娜", Role.MARKETING, "MKT"),
]

POSITIONS = {
    Role.EXECUTIVE: ("总经理", "对公司年度销售目标与利润负总责；审批销售计划与重大资源投入。"),
    Role.SALES_DIRECTOR: (
        "销售总监",
        "制定年度销售计划并分解到大区、产品和月份；组织双向计划沟通；追踪目标与实绩，及早发现异常。",
    ),
    Role.MANAGER: (
        "销售经理",
        "将本单位目标分解到每位业务员和每个月；审阅拜访计划与工作报告；辅导下属，处理上报问题。",
    ),
    Role.SALESPERSON: (
        "业务员",
        "完成个人销售与回款目标；按计划拜访客户并如实记录；反馈市场信息；维护客户档案真实完整。",
    ),
    Role.FINANCE: ("财务专员", "管理发票与回款；跟踪应收账龄与信用额度；对逾期应收发出预警。"),
    Role.MARKETING: ("市场专员", "管理线索来源与推广活动；评估线索质量；培育暂不成熟的销售机会。"),
    Role.ADMINISTRATOR: ("系统管理员", "维护组织架构、账号与权限；负责备份与恢复。"),
}


# When the demo organisation took its present shape; history rows start here.
DEMO_START = dt.date(2025, 1, 1)

# Personal, quantified duties (岗位职责) on top of the position's, by username.
DUTIES = {
    "zhangwei": "负责上海浦东区域：月销售目标 60 万元，回款率不低于 95%；每周拜访客户不少于10家。",
    "chenjing": "负责广州市区域：月销售目标 50 万元，回款率不低于 95%；每周拜访客户不少于10家。",
    "lina": "上海一组组长：团队月目标 180 万元；每周审阅组员拜访计划与周报；每月陪访不少于 4 次。",
    "wangqiang": "华东大区经理：大区年度目标 8000 万元，按分公司和月份分解；每月召开经营分析会。",
    "liuyang": "全国销售总监：年度目标 3 亿元；每季度组织计划沟通与目标调整；监控大区进度与预警。",
    "zhaomin": "应收账款管理：逾期 30 天以上应收每周预警；每月 5 日前完成上月回款对账。",
    "sunli": "线索管理：每月新增有效线索不少于 200 条；线索 48 小时内分配到业务员。",
}

# A move kept in the history: 杨帆 was in 上海二组 until the end of February 2026, so a report
# "by team for February" counts him there and one for March in 上海一组.
DEMO_MOVES = [("yangfan", "EAST-SH-2", dt.date(2026, 3, 1))]

# code, name, kind, part of (code), unit code, responsible person (None: nobody yet, which the
# "no responsible person" list shows).
TERRITORIES = [
    ("CN-SH", "上海市", TerritoryKind.PROVINCE, None, "EAST-SH", "xuming"),
    ("CN-SH-PD", "浦东新区", TerritoryKind.DISTRICT, "CN-SH", "EAST-SH-1", "zhangwei"),
    ("CN-SH-PX", "浦西", TerritoryKind.AREA, "CN-SH", "EAST-SH-2", "wuxia"),
    ("CN-ZJ", "浙江省", TerritoryKind.PROVINCE, None, "EAST-HZ", "guojing"),
    ("CN-ZJ-HZ", "杭州市", TerritoryKind.CITY, "CN-ZJ", "EAST-HZ-1", "linfeng"),
    ("CN-JS", "江苏省", TerritoryKind.PROVINCE, None, "EAST", None),
    ("CN-GD", "广东省", TerritoryKind.PROVINCE, None, "SOUTH", "huangfei"),
    ("CN-GD-GZ", "广州市", TerritoryKind.CITY, "CN-GD", "SOUTH-GZ-1", "chenjing"),
    ("CN-GD-SZ", "深圳市", TerritoryKind.CITY, "CN-GD", "SOUTH-SZ-1", "xieqiang"),
    ("CN-FJ", "福建省", TerritoryKind.PROVINCE, None, "SOUTH", None),
    ("CN-BJ", "北京市", TerritoryKind.PROVINCE, None, "NORTH-BJ-1", "panwen"),
    ("CN-TJ", "天津市", TerritoryKind.PROVINCE, None, "NORTH-TJ-1", "yuanhong"),
    ("CN-HE", "河北省", TerritoryKind.PROVINCE, None, "NORTH", "mahui"),
    ("CN-SC", "四川省", TerritoryKind.PROVINCE, None, "WEST-CD", "fengyan"),
    ("CN-SC-CD", "成都市", TerritoryKind.CITY, "CN-SC", "WEST-CD-1", "caoying"),
    ("CN-CQ", "重庆市", TerritoryKind.PROVINCE, None, "WEST-CQ-1", "luxin"),
    ("CN-YN", "云南省", TerritoryKind.PROVINCE, None, "WEST", None),
]


def load(log: Callable[[str], None]) -> None:
    with transaction.atomic():
        positions = _positions()
        people = {**{u: (n, r, c) for u, (n, r, c) in PERSONAS.items()}}
        people.update({u: (n, r, c) for u, n, r, c in OTHERS})
        password_hash = make_password(DEMO_PASSWORD)  # hashed once: 40 hashes would take seconds
        users = {}
        for username, (name, role, _unit) in people.items():
            users[username], _created = User.objects.unrestricted().get_or_create(
                username=username,
                defaults={
                    "full_name": name,
                    "role": role,
                    "password": password_hash,
                    "position": positions[role],
                    "duties": DUTIES.get(username, ""),
                    "is_staff": role == Role.ADMINISTRATOR,
                    "is_superuser": role == Role.ADMINISTRATOR,
                    "email": f"{username}@huayuan.example",
                },
            )
        units: dict[str, OrgUnit] = {}
        for code, name, kind, parent_code, manager in UNITS:
            unit = OrgUnit.objects.unrestricted().filter(code=code).first()
            if unit is None:
                unit = services.create_unit(
                    actor=None,
                    name=name,
                    code=code,
                    kind=kind,
                    parent=units.get(parent_code),
                    manager=users[manager],
                    manager_since=DEMO_START,
                )
            units[code] = unit
        for username, (_name, _role, unit_code) in people.items():
            user = users[username]
            if user.unit_id is None:
                User.objects.unrestricted().filter(pk=user.pk).update(unit=units[unit_code])
                _history(user, units, unit_code)
        territories = _territories(units, users)
    log(f"org: {len(units)} units, {len(users)} people, {territories} territories")


def _history(user: User, units: dict[str, OrgUnit], unit_code: str) -> None:
    """The person's membership spans since DEMO_START, ending in their present unit."""
    if Membership.objects.filter(person=user).exists():
        return
    start = DEMO_START
    for username, old_code, moved_on in DEMO_MOVES:
        if username == user.username:
            Membership.objects.create(
                person=user, unit=units[old_code], started_on=start, ended_on=moved_on
            )
            start = moved_on
    Membership.objects.create(person=user, unit=units[unit_code], started_on=start)


def _territories(units: dict[str, OrgUnit], users: dict[str, User]) -> int:
    made: dict[str, Territory] = {}
    for code, name, kind, parent_code, unit_code, owner in TERRITORIES:
        territory = Territory.objects.unrestricted().filter(code=code).first()
        if territory is None:
            territory = services.create_territory(
                actor=None,
                code=code,
                name=name,
                kind=kind,
                parent=made.get(parent_code),
                unit=units[unit_code],
                owner=users[owner] if owner else None,
            )
        made[code] = territory
    return len(made)


def _positions() -> dict[str, Position]:
    result = {}
    for role, (name, duties) in POSITIONS.items():
        result[role], _created = Position.objects.unrestricted().get_or_create(
            name=name, defaults={"duties": duties}
        )
    return result


def summary(write: Callable[[str], None]) -> None:
    """The demo logins, printed after the whole demo has loaded."""
    write(_("Demo company ready. Logins (password %s):") % DEMO_PASSWORD)
    for username, (name, role, _unit) in PERSONAS.items():
        write(f"  {username:<10} {name}  ({role.label})")
