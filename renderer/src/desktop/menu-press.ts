import { COMMANDS, pressFor } from '../../../shared/commands';
import { MenuCommandSchema } from '../../../shared/desktop';

/**
 * A menu item was clicked: its key is pressed for the page, on what has the focus, so the command
 * runs through the very handler its key reaches (menu and keyboard cannot do different things).
 * Anything that is not a command of the table is ignored.
 */
export function pressMenuCommand(message: unknown, target: EventTarget): boolean {
  const parsed = MenuCommandSchema.safeParse(message);
  if (!parsed.success) return false;
  const binding = COMMANDS.find((command) => command.id === parsed.data.id)?.keys[parsed.data.binding];
  if (!binding) return false;
  const press = pressFor(binding);
  const init = { ...press, bubbles: true, cancelable: true, composed: true };
  target.dispatchEvent(new KeyboardEvent('keydown', init));
  target.dispatchEvent(new KeyboardEvent('keyup', init));
  return true;
}
