"""The form that adds a database connection; the password goes to the store on Save and nowhere else."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from booking_desktop.gui import theme
from booking_desktop.gui.connection_dialog_checks import keyring_warning, tint
from booking_desktop.storage.client import DEFAULT_DB
from booking_desktop.storage.connections import (
    ConnectionProfileError,
    ConnectionStore,
    KeyringStatus,
    quote_userinfo,
    split_secret,
)


class AddConnectionDialog(QDialog):
    """The form for a new connection.  The password goes to the store on Save and nowhere else."""

    def __init__(self, parent: QWidget, store: ConnectionStore, status: KeyringStatus):
        super().__init__(parent)
        self.setObjectName("AddConnectionDialog")
        self.setWindowTitle("Add connection")
        self._store = store
        self._status = status
        self.saved_name: str | None = None
        form = QFormLayout(self)
        self.name_edit = self._line("conn_name", "Name", "e.g. Office server")
        self.uri_edit = self._line("conn_uri", "Server URI", "mongodb://db.example.com:27017")
        self.uri_edit.setToolTip("The address only: type the password below, never in the URI")
        self.user_edit = self._line("conn_user", "User name", "optional")
        self.password_edit = self._line("conn_password", "Password", "optional")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.db_edit = self._line("conn_db", "Database", DEFAULT_DB)
        self.auth_edit = self._line("conn_auth_source", "Authentication database", "admin (default)")
        self.tls_combo = QComboBox(self)
        self.tls_combo.setObjectName("conn_tls")
        self.tls_combo.setAccessibleName("TLS")
        for text, value in (("As the URI says", None), ("On", True), ("Off", False)):
            self.tls_combo.addItem(text, value)
        ca_row = QHBoxLayout()
        self.ca_edit = self._line("conn_ca_file", "CA file", "optional: certificate authority file (.pem)")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse_ca)
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        for label, w in (
            ("Name", self.name_edit),
            ("Server URI", self.uri_edit),
            ("User name", self.user_edit),
            ("Password", self.password_edit),
            ("Database", self.db_edit),
            ("Authentication database", self.auth_edit),
            ("TLS", self.tls_combo),
        ):
            form.addRow(label, w)
        form.addRow("CA file", ca_row)

        # where the password goes: shown only when the keyring is not a real secret store
        self.ask_each_time = QRadioButton("Ask me for the password each time I connect (recommended)", self)
        self.ask_each_time.setObjectName("conn_ask_each_time")
        self.store_anyway = QRadioButton("Store the password in this insecure store anyway", self)
        self.store_anyway.setObjectName("conn_store_anyway")
        group = QButtonGroup(self)
        group.addButton(self.ask_each_time)
        group.addButton(self.store_anyway)
        self.ask_each_time.setChecked(True)
        self.storage_note = QLabel(self)
        self.storage_note.setWordWrap(True)
        form.addRow(self.storage_note)
        if status.secure:
            self.storage_note.setText("The password is kept in the system keyring; it is never shown again.")
            self.ask_each_time.setVisible(False)
            self.store_anyway.setVisible(False)
        else:
            self.storage_note.setText(keyring_warning(status))
            tint(self.storage_note, theme.warning_color(self.palette()))
            form.addRow(self.ask_each_time)
            form.addRow(self.store_anyway)
            self.store_anyway.setEnabled(status.usable)
        self.error = QLabel(self)
        self.error.setObjectName("conn_error")
        self.error.setWordWrap(True)
        pal = self.error.palette()
        pal.setColor(QPalette.ColorRole.WindowText, theme.error_text_color(self.palette()))
        self.error.setPalette(pal)
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.setMinimumWidth(520)

    def _line(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        e = QLineEdit(self)
        e.setObjectName(name)
        e.setAccessibleName(accessible)
        e.setPlaceholderText(placeholder)
        return e

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA file", "", "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.ca_edit.setText(path)

    def save(self) -> None:
        name = self.name_edit.text().strip()
        uri = self.uri_edit.text().strip()
        if not name or not uri:
            self.error.setText("Give the connection a name and the server's URI.")
            return
        user = self.user_edit.text().strip()
        password = self.password_edit.text()
        clean, uri_user, uri_pw = split_secret(uri)
        if uri_pw is not None:
            self.error.setText("Remove the password from the URI and type it in the Password field.")
            return
        if user and not uri_user:
            scheme, _, rest = clean.partition("://")
            uri = f"{scheme}://{quote_userinfo(user)}@{rest}"
        save_password = self._status.secure or self.store_anyway.isChecked()
        try:
            self._store.add(
                name,
                uri,
                password=password or None,
                db_name=self.db_edit.text().strip() or DEFAULT_DB,
                auth_source=self.auth_edit.text().strip() or None,
                tls=self.tls_combo.currentData(),
                ca_file=self.ca_edit.text().strip() or None,
                save_password=save_password,
                allow_insecure_keyring=self.store_anyway.isChecked(),
            )
        except (ConnectionProfileError, OSError) as exc:
            self.error.setText(f"{exc}. Correct it and save again.")
            return
        finally:
            password = ""
        self.password_edit.clear()
        self.saved_name = name
        self.accept()
