// A client nobody here wrote: the TypeScript MCP SDK against the gateway. Prints one JSON object per line.
//   node probe.mjs URL [API_KEY]
// {"connected": {...capabilities}} after initialize, {"listChanged": true} when the notification arrives,
// {"error": {"code", "message"}} when connecting fails. Exits after the notification or 20 s.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [url, apiKey] = process.argv.slice(2);
const say = (value) => console.log(JSON.stringify(value));
const client = new Client({ name: "ts-probe", version: "1.0.0" });
client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
  say({ listChanged: true });
  await client.close();
  process.exit(0);
});
const headers = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
try {
  await client.connect(transport);
} catch (error) {
  say({ error: { code: error.code ?? null, message: String(error.message) } });
  process.exit(0);
}
say({ connected: client.getServerCapabilities() });
setTimeout(() => process.exit(3), 20000);
