// The default library folder lives with the CLI's text (bin/cli-text.mjs), which `shootline --help`
// prints before anything is built.
export { defaultDataDir } from '../../bin/cli-text.mjs';
