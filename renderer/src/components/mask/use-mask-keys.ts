import { useEffect, type RefObject } from 'react';
import { isKeyOf, matchCommand } from '../../../../shared/commands';
import { isTyping } from '../../views/review/keys';
import { stepHardness, stepSize, type BrushSettings } from './brush-settings';
import { clear, fill, invert, redo, undo, type MaskHistory } from './mask-history';

/**
 * The mask editor's keys, as the command table's `mask` scope names them: tools and brush, the
 * overlay (O, H held), edits of the whole drawing, zoom, pan (Space held), save and close. Keys
 * held when the window loses focus are let go.
 */
export function useMaskKeys(props: {
  brush: BrushSettings;
  setBrush: (change: Partial<BrushSettings>) => void;
  setPeek: (peek: boolean) => void;
  spaceHeld: RefObject<boolean>;
  edit: (change: (history: MaskHistory) => MaskHistory) => void;
  zoomToggle: () => void;
  save: () => Promise<boolean>;
  close: (fromKey: boolean) => void;
}): void {
  const { brush, setBrush, setPeek, spaceHeld, edit, zoomToggle, save, close } = props;
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      // A dialog over the editor (the shortcut sheet) or a field being typed in has the keys.
      if (isTyping(event) || document.querySelector('dialog[open]')) return;
      const command = matchCommand('mask', event)?.id;
      if (command === 'mask.pan') spaceHeld.current = true;
      else if (command === 'mask.brush') setBrush({ tool: 'brush' });
      else if (command === 'mask.eraser') setBrush({ tool: 'eraser' });
      else if (command === 'mask.smaller' || command === 'mask.larger')
        setBrush({ size: stepSize(brush.size, command === 'mask.larger') });
      else if (command === 'mask.softer' || command === 'mask.harder')
        setBrush({ hardness: stepHardness(brush.hardness, command === 'mask.harder') });
      else if (command === 'mask.overlay') setBrush({ overlayShown: !brush.overlayShown });
      else if (command === 'mask.peek') setPeek(true);
      else if (command === 'mask.undo') edit(undo);
      else if (command === 'mask.redo') edit(redo);
      else if (command === 'mask.invert') edit(invert);
      else if (command === 'mask.clear') edit(clear);
      else if (command === 'mask.fill') edit(fill);
      else if (command === 'mask.zoom') zoomToggle();
      else if (command === 'mask.save') void save();
      else if (command === 'mask.close') close(true);
      else return;
      event.preventDefault();
    };
    const onKeyUp = (event: KeyboardEvent): void => {
      if (isKeyOf('mask.pan', event.key)) spaceHeld.current = false;
      if (isKeyOf('mask.peek', event.key)) setPeek(false);
    };
    // Keys held when the window loses focus never come back up here.
    const onBlur = (): void => {
      spaceHeld.current = false;
      setPeek(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKeyUp);
      window.removeEventListener('blur', onBlur);
    };
  }, [brush, close, edit, save, setBrush, setPeek, spaceHeld, zoomToggle]);
}
