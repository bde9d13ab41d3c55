/**
 * The phone's driver commands (DRV-*): each driver request mapped onto the phone core.
 */
import {
  type PhoneDriverRequest,
  PhoneDriverRequest as PhoneDriverRequestSchema,
  type PhoneDriverState,
  phoneDriverRequests,
} from '../../model/protocol/driver-frames.js';
import type { DriverTarget } from './driver-endpoint.js';
import type { PhoneCore } from './phone-core.js';

export function phoneDriverTarget(core: PhoneCore): DriverTarget<PhoneDriverRequest, PhoneDriverState> {
  return {
    schema: PhoneDriverRequestSchema,
    commands: phoneDriverRequests.map((s) => s.shape.cmd.value),
    state: () => core.state(),
    onChange: (l) => core.onChange(l),
    async run(req) {
      switch (req.cmd) {
        case 'connect':
          return core.connect(req.server);
        case 'register':
          return core.register(req.phone);
        case 'code':
          return core.code(req.code);
        case 'scan':
          return core.scan(req.qr);
        case 'approve':
          return core.approve();
        case 'decline':
          return core.decline();
        case 'unlink':
          return core.unlink(req.sessionId);
        case 'unlink_all':
          return core.unlinkAll();
        case 'online':
          return core.setOnline(req.value);
        case 'state':
          return core.state();
        case 'reset':
          return core.reset(); // [DRV-13]
      }
    },
  };
}
