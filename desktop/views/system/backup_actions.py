"""The 系统 menu: 备份…, 恢复…, 自动备份设置…, and the daily automatic backup once the window shows.

Long work the clerk asked for (backing up, checking a backup file, restoring) runs on the lane through
`long_write` with a progress dialog; the daily automatic backup runs beside the lane while the clerk works. A restore asks once, showing what the file holds; a second time only when the file's
audit log does not verify, naming the problem. After a restore every page reloads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop import paths
from desktop.services.accounts import permissions
from desktop.services.backup_archive import SUFFIX
from desktop.views.kit.context import EVERYTHING
from desktop.views.kit.forms import FormDialog
from desktop.services.excel.excel_common import Cancelled
from desktop.views.kit.ops import aside, long_write, query, write
from desktop.views.kit.worker import show_error

if TYPE_CHECKING:
    from desktop.services.auto_backup import AutoBackupSettings
    from desktop.services.backup_service import BackupResult, BackupSummary, RestoreResult

# The backup services (zip, hashing, the restore's checks) load on first use: the menu is built with every
# window, and importing them there cost the first screen ~30 ms of GUI-thread time.


def _backup_service():
    from desktop.services import backup_service

    return backup_service


def _auto_backup():
    from desktop.services import auto_backup

    return auto_backup


def _daily_backup(ledger, **kwargs):
    """auto_backup.daily_backup, its module loaded off the GUI thread (the daily backup starts as the window
    shows)."""
    return _auto_backup().daily_backup(ledger, **kwargs)


DAILY_RUNNING = "正在自动备份…（可继续工作）"


FILE_FILTER = f"专治台账备份 (*{SUFFIX});;旧版数据库备份 (*.sqlite3);;所有文件 (*)"


# ---- what the dialogs say (plain text, testable without a dialog) ------------------------------------


def backup_done_text(result: BackupResult) -> str:
    text = (f"已备份到：\n{result.path}\n\n数据库和 {result.attachments} 个附件，"
            f"共 {result.size / 1048576:.1f} MB，已校验。")
    if result.missing:
        text += (f"\n\n注意：{len(result.missing)} 个附件文件缺失或已损坏，未能备份："
                 f"{'、'.join(result.missing[:5])}{' 等' if len(result.missing) > 5 else ''}")
    return text


def restore_question(summary: BackupSummary) -> str:
    made = (f"制作于 {summary.created_at.replace('T', ' ')}，制作人 {summary.created_by}，"
            f"程序版本 {summary.program_version}" if summary.archive else "旧版数据库备份（不含附件）")
    chain = summary.chain_message if summary.chain_intact else f"未通过校验（{summary.chain_message}）"
    return (f"将用备份文件替换当前的全部数据：\n{summary.source}\n\n{made}\n"
            f"数据库版本 {summary.revision}，附件 {summary.attachments} 个\n操作日志：{chain}\n\n"
            "恢复前会先自动备份当前的数据和附件。确定恢复吗？")


def chain_warning(summary: BackupSummary) -> str:
    return (f"备份文件的操作日志未通过校验：\n{summary.chain_message}\n\n"
            "这可能说明备份中的操作记录被删除或改动过。恢复后，这一情况会记入操作日志。\n\n"
            "确定仍要用这个文件恢复吗？")


def restored_text(result: RestoreResult) -> str:
    text = f"已从 {result.source.name} 恢复。"
    if result.attachments_added:
        text += f"\n已恢复附件文件 {result.attachments_added} 个。"
    if result.migrated:
        text += f"\n备份的数据库版本 {result.source_revision} 较旧，已升级到 {result.revision}。"
    if result.safety_backup:
        text += f"\n\n恢复前的数据已备份到：\n{result.safety_backup}"
    return text


# ---- boxes (tests replace `answer` and `choose`) -------------------------------------------------


def question_box(parent: QWidget, title: str, text: str, yes: str, *, warning: bool = False) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("restore_warning" if warning else "restore_question")
    box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton("取消", QMessageBox.ButtonRole.RejectRole))  # Enter never restores
    return box


def answer(box: QMessageBox) -> bool:
    box.exec()
    return box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.AcceptRole


def choose(parent: QWidget, kind: str, start: str) -> str:
    """A file to back up to ("save") or restore from ("open"); "" when cancelled."""
    if kind == "save":
        return QFileDialog.getSaveFileName(parent, "备份到", start, FILE_FILTER)[0]
    return QFileDialog.getOpenFileName(parent, "选择要恢复的备份文件", start, FILE_FILTER)[0]


def inform(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


# ---- the actions -----------------------------------------------------------------------------


class BackupActions(QObject):
    """The 系统 menu's actions for one main window."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.menu = window.system_menu()  # the one 系统 menu, shared with the accounts' items
        if self.menu.actions():
            self.menu.addSeparator()
        self.actions = []
        for text, slot, name in (("备份…", self.backup, "backup_action"), ("恢复…", self.restore, "restore_action"),
                                 ("自动备份设置…", self.settings, "auto_backup_action")):
            act = self.menu.addAction(text)
            act.setObjectName(name)
            act.triggered.connect(slot)
            self.actions.append(act)
        why = permissions.why_not(self.ctx.ledger, "backup")  # the rule backup_service.why_not applies
        for act in self.actions:
            act.setEnabled(why is None)
            act.setToolTip(why or "")
        self.menu.setToolTipsVisible(True)

    # 备份 ------------------------------------------------------------------------------------
    def backup(self) -> None:
        ledger = self.ctx.ledger
        start = str(_backup_service().default_backup_path(ledger.path)) if ledger.path else ""
        path = choose(self.window, "save", start)
        if not path:
            return
        if not Path(path).suffix:
            path += SUFFIX
        long_write(self.window, "正在备份…", _backup_service().backup, path, done=self._backed_up)

    def _backed_up(self, result: BackupResult) -> None:
        inform(self.window, "备份完成", backup_done_text(result))

    # 恢复 ------------------------------------------------------------------------------------
    def restore(self) -> None:
        path = choose(self.window, "open", str(paths.backups_dir()))
        if path:
            long_write(self.window, "正在检查备份文件…", _backup_service().examine, path, done=self._examined)

    def _examined(self, summary: BackupSummary) -> None:
        if not answer(question_box(self.window, "恢复备份", restore_question(summary), "恢复")):
            return
        force = False
        if not summary.chain_intact:
            box = question_box(self.window, "操作日志未通过校验", chain_warning(summary), "仍要恢复", warning=True)
            if not answer(box):
                return
            force = True
        long_write(self.window, "正在恢复…", _backup_service().restore_ledger, str(summary.source), force=force,
                   done=self._restored)

    def _restored(self, result: RestoreResult) -> None:
        self.ctx.changed(EVERYTHING)
        refresh = getattr(self.window, "refresh_years", None)
        if refresh is not None:
            refresh()
        inform(self.window, "恢复完成", restored_text(result))

    # 自动备份设置 ---------------------------------------------------------------------------
    def settings(self) -> None:
        query(self, "auto_backup", _auto_backup().settings, done=self._edit_settings)

    def _edit_settings(self, current: AutoBackupSettings) -> None:
        dialog = AutoBackupDialog(current, self.window)
        dialog.setObjectName("auto_backup_dialog")

        def save(values: AutoBackupSettings) -> None:
            write(dialog, _auto_backup().set_settings, values, failed=dialog.show_error, done=lambda _v: dialog.accept())

        dialog.submitted.connect(save)
        dialog.open()

    # 每日自动备份 ---------------------------------------------------------------------------
    def daily(self) -> None:
        """Today's automatic backup, beside the lane: the clerk works on while it is made (half a minute on a
        city's ledger after five years, most of it compressing the copy, which a modal progress box made them
        wait out every morning). It copies the database first and works on the copy, so writes meanwhile are
        not in today's backup and are not held up. The status bar says it is being made and when it is done;
        a failure comes in a box; closing the window stops it (the unfinished file is removed)."""
        self.window.statusBar().showMessage(DAILY_RUNNING)
        aside(self.window, "daily_backup", _daily_backup, done=self._daily_done, failed=self._daily_failed)

    def _daily_done(self, result: BackupResult | None) -> None:
        bar = self.window.statusBar()
        if result is not None:
            bar.showMessage(f"今日自动备份已完成：{result.path}", 15000)
        elif bar.currentMessage() == DAILY_RUNNING:
            bar.clearMessage()  # already made today, or switched off: nothing to say

    def _daily_failed(self, exc: BaseException) -> None:
        if self.window.statusBar().currentMessage() == DAILY_RUNNING:
            self.window.statusBar().clearMessage()
        if not isinstance(exc, Cancelled):
            show_error(self.window, exc)


class AutoBackupDialog(FormDialog):
    """自动备份设置: on/off, how many to keep, the folder."""

    def __init__(self, current: AutoBackupSettings, parent: QWidget | None = None) -> None:
        super().__init__("自动备份设置", parent, width=520)
        self.auto_box = self.add("auto", "自动备份", QCheckBox("每天第一次启动程序时自动备份数据和附件"))
        self.auto_box.setChecked(current.auto)
        self.keep_box = self.add("keep", "保留份数", QSpinBox())
        self.keep_box.setRange(0, _auto_backup().MAX_KEEP + 1)  # out-of-range values reach the service's refusal
        self.keep_box.setValue(current.keep)
        self.keep_box.setSuffix(" 份（只保留最近的自动备份）")
        self.folder_edit = QLineEdit(current.folder)
        self.folder_edit.setPlaceholderText(str(paths.backups_dir()))
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.folder_edit, 1)
        line.addWidget(browse)
        self.add("folder", "备份文件夹", self.folder_edit, shown=row)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择备份文件夹", self.folder_edit.text()
                                                  or str(paths.backups_dir()))
        if folder:
            self.folder_edit.setText(folder)

    def values(self) -> AutoBackupSettings:
        return _auto_backup().AutoBackupSettings(self.auto_box.isChecked(), self.keep_box.value(),
                                              self.folder_edit.text().strip())


def install(window: QMainWindow) -> BackupActions:
    """Add the 系统 menu to the main window."""
    actions = BackupActions(window)
    window.system_actions = actions
    return actions


def start_daily_backup(window: QMainWindow) -> None:
    """The automatic backup of the day, once the event loop has shown the window."""
    actions = getattr(window, "system_actions", None)
    if actions is not None:
        QTimer.singleShot(0, actions.daily)
