// The widget's words in English, Spanish, Portuguese, French and German (and Arabic, to show right-to-left).

const T = {
  en: ['Chat with us', 'Close chat', 'Type a message…', 'Send', 'Reconnecting…', 'Offline: messages will be sent when the connection is back',
    'This chat is not available on this site.', 'The assistant is typing', 'new messages', 'Hi! How can we help?', 'Queued', 'Conversation', 'Attachment'],
  es: ['Chatea con nosotros', 'Cerrar chat', 'Escribe un mensaje…', 'Enviar', 'Reconectando…', 'Sin conexión: los mensajes se enviarán al volver la conexión',
    'Este chat no está disponible en este sitio.', 'El asistente está escribiendo', 'mensajes nuevos', '¡Hola! ¿En qué podemos ayudarte?', 'En cola', 'Conversación', 'Adjunto'],
  pt: ['Fale connosco', 'Fechar chat', 'Escreva uma mensagem…', 'Enviar', 'A religar…', 'Sem ligação: as mensagens serão enviadas quando a ligação voltar',
    'Este chat não está disponível neste site.', 'O assistente está a escrever', 'mensagens novas', 'Olá! Como podemos ajudar?', 'Em fila', 'Conversa', 'Anexo'],
  fr: ['Discutez avec nous', 'Fermer le chat', 'Écrivez un message…', 'Envoyer', 'Reconnexion…', 'Hors ligne : les messages partiront au retour de la connexion',
    'Ce chat n’est pas disponible sur ce site.', 'L’assistant écrit', 'nouveaux messages', 'Bonjour ! Comment pouvons-nous aider ?', 'En attente', 'Conversation', 'Pièce jointe'],
  de: ['Chatten Sie mit uns', 'Chat schließen', 'Nachricht schreiben…', 'Senden', 'Verbinde neu…', 'Offline: Nachrichten werden gesendet, sobald die Verbindung zurück ist',
    'Dieser Chat ist auf dieser Seite nicht verfügbar.', 'Der Assistent schreibt', 'neue Nachrichten', 'Hallo! Wie können wir helfen?', 'Wartet', 'Unterhaltung', 'Anhang'],
  ar: ['تحدث معنا', 'إغلاق المحادثة', 'اكتب رسالة…', 'إرسال', 'جارٍ إعادة الاتصال…', 'غير متصل: ستُرسل الرسائل عند عودة الاتصال',
    'هذه المحادثة غير متاحة على هذا الموقع.', 'المساعد يكتب', 'رسائل جديدة', 'مرحبًا! كيف يمكننا المساعدة؟', 'في الانتظار', 'محادثة', 'مرفق'],
};
const KEYS = ['launcher', 'close', 'placeholder', 'send', 'reconnecting', 'offline', 'refused', 'typing', 'unread', 'welcome', 'queued', 'title', 'attachment'];

/** The language to use: the option, else the page's, else the browser's; English when unknown. */
export function pickLocale(option, doc, nav) {
  for (const c of [option, doc && doc.documentElement.lang, nav && nav.language]) {
    const l = String(c || '').toLowerCase().split(/[-_]/)[0];
    if (T[l]) return l;
  }
  return 'en';
}

export function translator(locale) {
  const words = T[locale] || T.en;
  return (key) => words[KEYS.indexOf(key)] ?? T.en[KEYS.indexOf(key)] ?? key;
}

export const isRtl = (locale) => ['ar', 'he', 'fa', 'ur'].includes(locale);
export const locales = Object.keys(T);
