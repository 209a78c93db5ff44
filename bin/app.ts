// `npx cdk synth` / `npx cdk deploy --all` (cdk.json: "app": "node bin/app.ts"). Settings: lib/config.ts.
import { createIpamApp } from '../lib/ipam-app.ts';

createIpamApp().app.synth();
