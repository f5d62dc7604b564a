module.exports = {
    flowFile: 'flows.json',
    httpAdminRoot: false,
    uiPort: Number(process.env.PORT || 1880),
    uiHost: '127.0.0.1',
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    editorTheme: { tours: false },
    telemetry: { enabled: false }
};
