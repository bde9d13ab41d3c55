/**
 * The Node web client's driver commands (DRV-*): each driver request mapped onto the web core.
 */
import {
  type WebDriverRequest,
  WebDriverRequest as WebDriverRequestSchema,
  type WebDriverState,
  webDriverRequests,
} from '../../model/protocol/driver-frames.js';
import type { DriverTarget } from '../phone/driver-endpoint.js';
import type { WebCore } from './web-core.js';

export function webDriverTarget(core: WebCore): DriverTarget<WebDriverRequest, WebDriverState> {
  return {
    schema: WebDriverRequestSchema,
    commands: webDriverRequests.map((s) => s.shape.cmd.value),
    state: () => core.state(),
    onChange: (l) => core.onChange(l),
    async run(req) {
      switch (req.cmd) {
        case 'open':
          return core.open(req.server, req.keep);
        case 'state':
          return core.state();
        case 'history':
          return core.history(req.chatId);
        case 'send':
          return core.sendMessage(req.chatId, req.text);
        case 'logout':
          return core.logout();
        case 'close':
          return core.close();
        case 'reopen':
          return core.reopen();
        case 'reset':
          return core.reset();
      }
    },
  };
}
