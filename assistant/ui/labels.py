"""Every piece of UI text in both languages, so that the zh/en switch changes one key only.

Labels are looked up with :func:`t`; a missing key falls back to English rather than crashing a
callback, because a wrong label is a smaller harm than a broken answer.
"""

from __future__ import annotations

from typing import Literal

UILang = Literal["zh", "en"]

LABELS: dict[str, dict[UILang, str]] = {
    "title": {"en": "UN Documents Assistant", "zh": "联合国文件助手"},
    "subtitle": {
        "en": "Answers come only from the indexed UN documents, with a citation for every claim.",
        "zh": "回答只依据已收录的联合国文件，每一处陈述都附有引用。",
    },
    "ui_language": {"en": "Interface language", "zh": "界面语言"},
    "tab_ask": {"en": "Ask", "zh": "提问"},
    "tab_documents": {"en": "Documents", "zh": "文件"},
    "chat": {"en": "Conversation", "zh": "对话"},
    "chat_placeholder": {
        "en": "Ask about the documents in Chinese or English. Each answer cites its sources.",
        "zh": "可用中文或英文就文件内容提问，每个回答都会标明出处。",
    },
    "question": {"en": "Your question", "zh": "您的问题"},
    "question_placeholder": {
        "en": "Type a question in Chinese or English and press Enter",
        "zh": "用中文或英文输入问题，按回车键提问",
    },
    "send": {"en": "Ask", "zh": "提问"},
    "new_conversation": {"en": "New conversation", "zh": "新对话"},
    "copy_answer": {"en": "Copy answer", "zh": "复制回答"},
    "export": {"en": "Export with sources", "zh": "导出（含出处）"},
    "export_answer_docx": {"en": "This answer (Word)", "zh": "本回答（Word）"},
    "export_answer_md": {"en": "This answer (Markdown)", "zh": "本回答（Markdown）"},
    "export_conversation_docx": {"en": "Conversation (Word)", "zh": "整个对话（Word）"},
    "export_conversation_md": {"en": "Conversation (Markdown)", "zh": "整个对话（Markdown）"},
    "copied": {"en": "Answer copied to the clipboard.", "zh": "回答已复制到剪贴板。"},
    "examples": {"en": "Example questions", "zh": "示例问题"},
    "filters": {"en": "Which documents to answer from", "zh": "回答所依据的文件"},
    "scope": {"en": "Scope", "zh": "范围"},
    "scope_all": {"en": "All documents", "zh": "全部文件"},
    "scope_selected": {"en": "Selected documents", "zh": "所选文件"},
    "scope_language": {"en": "One language", "zh": "单一语言"},
    "scope_documents": {"en": "Documents", "zh": "文件"},
    "scope_lang": {"en": "Document language", "zh": "文件语言"},
    "answer_language": {"en": "Answer language", "zh": "回答语言"},
    "answer_language_auto": {"en": "Same as the question", "zh": "与问题相同"},
    "lang_zh": {"en": "Chinese", "zh": "中文"},
    "lang_en": {"en": "English", "zh": "英文"},
    "sources": {"en": "Sources", "zh": "出处"},
    "sources_empty": {
        "en": "The passages cited by an answer appear here. Click a citation number such as "
        "[1] in an answer to show its passage.",
        "zh": "回答所引用的段落会显示在这里。点击回答中的引用编号（如 [1]）即可查看对应段落。",
    },
    "sources_for": {"en": "Sources for", "zh": "出处："},
    "no_citations": {"en": "This answer cites no passage.", "zh": "此回答未引用任何段落。"},
    "page": {"en": "p.", "zh": "第"},
    "page_suffix": {"en": "", "zh": "页"},
    "ocr_badge": {"en": "OCR {confidence}", "zh": "OCR识别 {confidence}"},
    "ocr_note": {
        "en": "Text recognised from a scanned page; check the original for misread characters.",
        "zh": "文字由扫描页识别得出，可能有误识字符，请以原件为准。",
    },
    "file": {"en": "File", "zh": "文件"},
    "unsupported": {
        "en": "sentence(s) of this answer could not be matched to a cited passage; "
        "check them before relying on them:",
        "zh": "句回答内容未能与所引段落对应，使用前请核实：",
    },
    "unsupported_mark": {"en": "⚠ not verified", "zh": "⚠ 未核实"},
    "unsupported_mark_title": {
        "en": "No cited passage supports this sentence: check it against the sources before "
        "relying on it.",
        "zh": "没有引用段落支持这句话，使用前请对照出处核实。",
    },
    "understood_as": {"en": "Understood as: {question}", "zh": "理解为：{question}"},
    "refused_badge": {"en": "Not in the documents", "zh": "文件中没有相关信息"},
    "refused_note": {
        "en": "The indexed documents do not answer this question, so the assistant did not "
        "guess. Try rephrasing, or widen the document filter.",
        "zh": "已收录的文件无法回答这个问题，因此助手没有猜测作答。"
        "可以换一种问法，或放宽文件范围。",
    },
    "error_badge": {"en": "Could not answer", "zh": "无法回答"},
    "engine_restarted": {
        "en": "The model engine stopped while writing this answer and has been restarted. "
        "Please ask again; the rest of the conversation is kept.",
        "zh": "模型引擎在生成此回答时中断，已自动重启。请重新提问，其余对话均已保留。",
    },
    "error_note": {
        "en": "The answering service failed. The app is still running; try again in a moment.",
        "zh": "回答服务出错，应用仍在运行，请稍后重试。",
    },
    "selection_empty": {
        "en": "No document selected, so the answer uses all documents.",
        "zh": "未选择文件，因此将依据全部文件回答。",
    },
    "thinking": {"en": "Searching the documents…", "zh": "正在检索文件……"},
    "writing": {"en": "Writing the answer…", "zh": "正在撰写回答……"},
    "evidence_heading": {
        "en": "What the documents say (the answer follows):",
        "zh": "文件中的相关内容（回答随后给出）：",
    },
    "feedback": {"en": "Was this answer useful?", "zh": "这个回答有用吗？"},
    "feedback_comment": {"en": "Comment (optional)", "zh": "意见（可选）"},
    "feedback_up": {"en": "👍 Useful", "zh": "👍 有用"},
    "feedback_down": {"en": "👎 Not useful", "zh": "👎 没用"},
    "feedback_thanks": {
        "en": "Thank you, your feedback was saved.",
        "zh": "谢谢，您的反馈已保存。",
    },
    "feedback_nothing": {"en": "Ask a question first.", "zh": "请先提问。"},
    "citation_help_title": {"en": "How to read the citations", "zh": "如何阅读引用"},
    "citation_help": {
        "en": "- Every claim ends with a number such as **[1]**. Click it to show the passage it "
        "comes from in the *Sources* panel.\n"
        "- Each source gives the document title, its UN symbol (e.g. *S/2018/208*), the "
        "paragraph (¶) and, for PDFs, the page.\n"
        "- The sentence that supports the claim is **highlighted** inside the passage.\n"
        "- A red *Not in the documents* badge means the documents do not answer the question: "
        "the assistant does not guess.",
        "zh": "- 每一处陈述后面都有编号，例如 **[1]**。"
        "点击编号，右侧“出处”栏会显示该陈述所依据的段落。\n"
        "- 每条出处列出文件标题、联合国文号（如 *S/2018/208*）、段落号（¶），PDF 文件还列出页码。\n"
        "- 段落中支持该陈述的句子以**高亮**标出。\n"
        "- 红色的“文件中没有相关信息”标记表示文件无法回答该问题，助手不会猜测。",
    },
    "documents_table": {"en": "Indexed documents", "zh": "已收录文件"},
    "col_lang": {"en": "Language", "zh": "语言"},
    "col_symbol": {"en": "Symbol", "zh": "文号"},
    "col_title": {"en": "Title", "zh": "标题"},
    "col_source": {"en": "File", "zh": "文件名"},
    "col_chunks": {"en": "Passages", "zh": "段落数"},
    "refresh": {"en": "Refresh", "zh": "刷新"},
    "admin": {"en": "Administration", "zh": "管理"},
    "admin_off": {
        "en": "Administration is off because no admin credentials are configured. To turn it on, "
        "set the environment variables `{user_env}` and `{password_env}` (or point "
        "`app.admin_credentials_file` at a file with a `user:password` line) and restart the app.",
        "zh": "未配置管理员凭据，管理功能已关闭。如需开启，请设置环境变量 `{user_env}` 和 "
        "`{password_env}`（或将 `app.admin_credentials_file` 指向一个包含 `用户名:密码` "
        "行的文件），然后重启应用。",
    },
    "admin_user": {"en": "Admin user", "zh": "管理员用户名"},
    "admin_password": {"en": "Password", "zh": "密码"},
    "login": {"en": "Log in", "zh": "登录"},
    "logout": {"en": "Log out", "zh": "退出登录"},
    "login_failed": {"en": "Wrong user name or password.", "zh": "用户名或密码错误。"},
    "login_wait": {
        "en": "Too many failed logins: try again in {seconds} s.",
        "zh": "登录失败次数过多，请在 {seconds} 秒后重试。",
    },
    "login_ok": {"en": "Logged in as administrator.", "zh": "已以管理员身份登录。"},
    "logged_out": {"en": "Logged out.", "zh": "已退出登录。"},
    "not_admin": {
        "en": "This action needs an administrator login.",
        "zh": "此操作需要管理员登录。",
    },
    "upload": {
        "en": "Add documents (PDF, Word, web page, TXT, MD)",
        "zh": "添加文件（PDF、Word、网页、TXT、MD）",
    },
    "ingest": {"en": "Add to the index", "zh": "加入索引"},
    "no_files": {"en": "Choose one or more files first.", "zh": "请先选择文件。"},
    "delete_doc": {"en": "Document to delete", "zh": "要删除的文件"},
    "delete": {"en": "Delete from the index", "zh": "从索引中删除"},
    "deleted": {"en": "Deleted", "zh": "已删除"},
    "delete_none": {"en": "Choose a document to delete.", "zh": "请选择要删除的文件。"},
    "delete_shipped_note": {
        "en": "The file itself stays in the corpus folder; the next full `assistant ingest` "
        "adds it back.",
        "zh": "文件本身仍在语料目录中，下次完整运行 `assistant ingest` 时会重新加入。",
    },
    "upload_ok": {"en": "added", "zh": "已加入"},
    "upload_updated": {"en": "updated", "zh": "已更新"},
    "upload_unchanged": {"en": "unchanged (already indexed)", "zh": "未变化（已在索引中）"},
    "upload_failed": {"en": "failed", "zh": "失败"},
    "upload_too_big": {
        "en": "larger than the {limit} MB limit",
        "zh": "超过 {limit} MB 的大小限制",
    },
    "upload_bad_type": {
        "en": "unsupported file type (use PDF, Word .docx, HTML, TXT or MD)",
        "zh": "不支持的文件类型（请使用 PDF、Word .docx、HTML、TXT 或 MD）",
    },
    "ingesting": {"en": "Adding documents…", "zh": "正在加入文件……"},
}

EXAMPLE_QUESTIONS: list[str] = [
    "反恐委员会在哪一次会议上审议了联合报告？",
    "2018年反恐委员会的工作方案包括哪些内容？",
    "What did China say about multilateralism in the 2018 General Debate?",
    "What did Nigeria say about the shrinking of Lake Chad?",
]


def t(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang`` ("zh" or "en"), with ``{placeholders}`` filled in."""
    entry = LABELS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]  # type: ignore[call-overload]
    return text.format(**values) if values else text


def lang_name(code: str, ui_lang: str) -> str:
    """A document language code as a word the user reads ("中文", "English")."""
    if code in ("zh", "en"):
        return t(f"lang_{code}", ui_lang)
    return code
